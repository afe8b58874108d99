package com.opencodeworker.bench;

import java.util.Arrays;

/**
 * Measurements taken at several points of a worker's life: warm-up units (turns, replies) until
 * each point, then one measurement of a number of units, which count towards the next point.
 * Each measurement names its figures with {@link #suffix}.
 */
final class Windows {
    interface WarmUp {
        /** Runs warm-up unit number {@code index} (0-based over the whole run). */
        void run(int index) throws Exception;
    }

    interface Measurement {
        /** Runs one measurement of {@code measured} units, after {@code after} units. */
        void run(int after, int measured) throws Exception;
    }

    private Windows() {
    }

    /** What a measurement's figures' names end in: {@code " [after N]"}. */
    static String suffix(int after) {
        return " [after " + after + "]";
    }

    /** Measures {@code measured} units at each point of {@code after}. */
    static void atEach(int[] after, int measured, WarmUp warmUp, Measurement measurement) throws Exception {
        int[] each = new int[after.length];
        Arrays.fill(each, measured);
        atEach(after, each, warmUp, measurement);
    }

    /** As above, with {@code measured[i]} units measured at point {@code after[i]}. */
    static void atEach(int[] after, int[] measured, WarmUp warmUp, Measurement measurement) throws Exception {
        int done = 0;
        for (int i = 0; i < after.length; i++) {
            for (; done < after[i]; done++) {
                warmUp.run(done);
            }
            measurement.run(done, measured[i]);
            done += measured[i];
        }
    }
}
