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
 * The warm first-chunk overhead over every run of the direct part so far on this worker build,
 * pooled: {@code ./mvnw -B -Pbench verify -Dbench.main=com.opencodeworker.bench.Pooled} (with {@code
 * -Dbench.args=all}, every build recorded, each apart). One run's 30 or 60 turns a side give a median
 * that moves by several milliseconds from run to run; the turns of several runs of the same code,
 * taken together, give a figure that moves less, and a narrower interval. It reads {@link
 * Benchmark#TURNS_FILE}, a line per measured turn: run, {@link WorkerBuild}, how the worker was
 * started, after how many turns, OpenCode direct's first delta in a server of its own, the same in the
 * worker's server, and the worker's first chunk (ms). {@code ./mvnw clean} starts it afresh.
 */
public final class Pooled {
    private Pooled() {
    }

    /** One measured warm turn, a line of {@link Benchmark#TURNS_FILE}; times in ms. */
    record Turn(String run, String build, String worker, int after, double own, double inServer, double viaWorker) {
        String line() {
            return String.join(",", run, build, worker, Integer.toString(after), Double.toString(own),
                    Double.toString(inServer), Double.toString(viaWorker));
        }

        static Turn parse(String line) {
            String[] f = line.split(",");
            // Lines recorded before the build was: which code they measured is not known.
            int b = f.length == 6 ? 0 : 1;
            return new Turn(f[0], b == 0 ? "unknown" : f[1], f[1 + b], Integer.parseInt(f[2 + b]),
                    Double.parseDouble(f[3 + b]), Double.parseDouble(f[4 + b]), Double.parseDouble(f[5 + b]));
        }
    }

    public static void main(String[] args) throws Exception {
        boolean allBuilds = List.of(args).contains("all");
        String build = WorkerBuild.id();
        List<Turn> turns = Files.exists(Benchmark.TURNS_FILE)
                ? Files.readAllLines(Benchmark.TURNS_FILE).stream().map(Turn::parse)
                        .filter(turn -> allBuilds || turn.build().equals(build)).toList()
                : List.of();
        if (turns.isEmpty()) {
            System.out.println("No turns of " + (allBuilds ? "any worker build" : "this worker build (" + build + ")")
                    + " in " + Benchmark.TURNS_FILE + ": run the direct part first (-Dbench.args=direct)"
                    + (allBuilds ? "." : ", or pass all (-Dbench.args=all) for those of other builds."));
            return;
        }
        Map<String, List<Turn>> byGroup = new TreeMap<>();
        for (Turn turn : turns) {
            String group = (allBuilds ? turn.build() + " " : "") + turn.worker() + " after " + turn.after();
            byGroup.computeIfAbsent(group, key -> new ArrayList<>()).add(turn);
        }
        System.out.println("== warm first-chunk overhead, the runs of the direct part in " + Benchmark.TURNS_FILE
                + (allBuilds ? ", by worker build" : " on this worker build (" + build + ")")
                + ", together: p50 (95 % interval), ms");
        String columns = "  %-" + byGroup.keySet().stream().mapToInt(String::length).max().orElse(0)
                + "s %5s %6s %-22s %-22s%n";
        System.out.printf(columns, "worker, measured", "runs", "turns", "over OpenCode direct", "over its own server");
        byGroup.forEach((group, inGroup) -> {
            Set<String> runs = inGroup.stream().map(Turn::run).collect(Collectors.toCollection(TreeSet::new));
            List<Double> own = inGroup.stream().map(Turn::own).toList();
            List<Double> inServer = inGroup.stream().map(Turn::inServer).toList();
            List<Double> worker = inGroup.stream().map(Turn::viaWorker).toList();
            System.out.printf(columns, group, runs.size(), inGroup.size(), Overhead.of(worker, own),
                    Overhead.of(worker, inServer));
        });
    }
}
