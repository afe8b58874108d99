package com.opencodeworker.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The worker's first-chunk overhead over OpenCode driven directly, from turns taken in pairs (a direct
 * turn, then one through the worker): the difference of the two medians, and how far it can be
 * trusted. Thirty turns a side give a median that moves by several milliseconds from run to run, so
 * a single figure says little against a target of 15 ms; the interval says how much.
 */
record Overhead(double estimate, double low, double high) {
    private static final int RESAMPLES = 2000;
    /** Fixed, so that the same turns always give the same interval. */
    private static final long SEED = 13;

    /**
     * From paired turns ({@code worker.get(i)} after {@code direct.get(i)}): the difference of the
     * medians and its 95 % bootstrap interval, resampling pairs, so that a drift of the machine's speed
     * that both turns of a pair shared stays shared.
     */
    static Overhead of(List<Double> worker, List<Double> direct) {
        if (worker.size() != direct.size() || worker.isEmpty()) {
            throw new IllegalArgumentException("expected pairs, got " + worker.size() + " and " + direct.size());
        }
        Random random = new Random(SEED);
        int n = worker.size();
        List<Double> differences = new ArrayList<>(RESAMPLES);
        List<Double> workerSample = new ArrayList<>(n);
        List<Double> directSample = new ArrayList<>(n);
        for (int r = 0; r < RESAMPLES; r++) {
            workerSample.clear();
            directSample.clear();
            for (int k = 0; k < n; k++) {
                int i = random.nextInt(n);
                workerSample.add(worker.get(i));
                directSample.add(direct.get(i));
            }
            differences.add(Benchmark.percentile(workerSample, 50) - Benchmark.percentile(directSample, 50));
        }
        return new Overhead(Benchmark.percentile(worker, 50) - Benchmark.percentile(direct, 50),
                Benchmark.percentile(differences, 2.5), Benchmark.percentile(differences, 97.5));
    }

    @Override
    public String toString() {
        return String.format("%.1f (%.1f to %.1f)", estimate, low, high);
    }
}
