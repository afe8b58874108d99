package com.opencodeworker.bench;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

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

    /** One measured warm turn, a line of {@link Benchmark#TURNS_FILE}; times in ms. */
    record Turn(String run, String worker, int after, double own, double inServer, double viaWorker) {
        String line() {
            return String.join(",", run, worker, Integer.toString(after), Double.toString(own),
                    Double.toString(inServer), Double.toString(viaWorker));
        }

        static Turn parse(String line) {
            String[] fields = line.split(",");
            return new Turn(fields[0], fields[1], Integer.parseInt(fields[2]), Double.parseDouble(fields[3]),
                    Double.parseDouble(fields[4]), Double.parseDouble(fields[5]));
        }
    }

    public static void main(String[] args) throws Exception {
        if (!Files.exists(Benchmark.TURNS_FILE)) {
            System.out.println("No turns yet: run the direct part first (-Dbench.args=direct).");
            return;
        }
        Map<String, List<Turn>> byGroup = new TreeMap<>();
        for (String line : Files.readAllLines(Benchmark.TURNS_FILE)) {
            Turn turn = Turn.parse(line);
            byGroup.computeIfAbsent(turn.worker() + " after " + turn.after(), key -> new ArrayList<>()).add(turn);
        }
        System.out.println("== warm first-chunk overhead, all runs of the direct part in " + Benchmark.TURNS_FILE
                + " together: p50 (95 % interval), ms");
        System.out.printf("  %-22s %5s %6s %-22s %-22s%n", "worker, measured", "runs", "turns", "over OpenCode direct",
                "over its own server");
        byGroup.forEach((group, turns) -> {
            Set<String> runs = turns.stream().map(Turn::run).collect(Collectors.toCollection(TreeSet::new));
            List<Double> own = turns.stream().map(Turn::own).toList();
            List<Double> inServer = turns.stream().map(Turn::inServer).toList();
            List<Double> worker = turns.stream().map(Turn::viaWorker).toList();
            System.out.printf("  %-22s %5d %6d %-22s %-22s%n", group, runs.size(), turns.size(),
                    Overhead.of(worker, own), Overhead.of(worker, inServer));
        });
    }
}
