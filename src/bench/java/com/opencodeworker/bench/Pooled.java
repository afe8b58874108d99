package com.opencodeworker.bench;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The warm first-chunk overhead over every run of the direct part so far, pooled: {@code ./mvnw -B
 * -Pbench verify -Dbench.main=com.opencodeworker.bench.Pooled}. One run's 30 or 60 turns a side give
 * a median that moves by several milliseconds from run to run; the turns of several runs, taken
 * together, give a figure that moves less, and a narrower interval. It reads {@link
 * Benchmark#TURNS_FILE}, a line per measured turn: run, how the worker was started, after how many
 * turns, OpenCode direct's first delta in a server of its own, the same in the worker's server, and
 * the worker's first chunk (ms). {@code ./mvnw clean} starts it afresh.
 */
public final class Pooled {
    private Pooled() {
    }

    public static void main(String[] args) throws Exception {
        if (!Files.exists(Benchmark.TURNS_FILE)) {
            System.out.println("No turns yet: run the direct part first (-Dbench.args=direct).");
            return;
        }
        Map<String, List<String[]>> byGroup = new TreeMap<>();
        for (String line : Files.readAllLines(Benchmark.TURNS_FILE)) {
            String[] fields = line.split(",");
            if (fields.length == 6) {
                byGroup.computeIfAbsent(fields[1] + " after " + fields[2], key -> new ArrayList<>()).add(fields);
            }
        }
        System.out.println("== warm first-chunk overhead, all runs of the direct part in " + Benchmark.TURNS_FILE
                + " together: p50 (95 % interval), ms");
        System.out.printf("  %-22s %5s %6s %-22s %-22s%n", "worker, measured", "runs", "turns", "over OpenCode direct",
                "over its own server");
        byGroup.forEach((group, turns) -> {
            Set<String> runs = new TreeSet<>();
            List<Double> own = new ArrayList<>();
            List<Double> inServer = new ArrayList<>();
            List<Double> worker = new ArrayList<>();
            for (String[] turn : turns) {
                runs.add(turn[0]);
                own.add(Double.parseDouble(turn[3]));
                inServer.add(Double.parseDouble(turn[4]));
                worker.add(Double.parseDouble(turn[5]));
            }
            System.out.printf("  %-22s %5d %6d %-22s %-22s%n", group, runs.size(), turns.size(),
                    Overhead.of(worker, own), Overhead.of(worker, inServer));
        });
    }
}
