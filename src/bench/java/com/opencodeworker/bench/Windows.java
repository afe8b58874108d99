package com.opencodeworker.bench;

/**
 * Measurements taken at several points of a worker's life: warm-up units (turns, replies) until
 * each point, then one measurement of {@code measured} units, which count towards the next point.
 * Each measurement names its figures with the suffix " [after N]".
 */
final class Windows {
    interface WarmUp {
        /** Runs warm-up unit number {@code index} (0-based over the whole run). */
        void run(int index) throws Exception;
    }

    interface Measurement {
        /** Runs one measurement; its figures' names end in {@code suffix}. */
        void run(String suffix) throws Exception;
    }

    private Windows() {
    }

    static void atEach(int[] after, int measured, WarmUp warmUp, Measurement measurement) throws Exception {
        int done = 0;
        for (int point : after) {
            for (; done < point; done++) {
                warmUp.run(done);
            }
            measurement.run(" [after " + done + "]");
            done += measured;
        }
    }
}
