package com.opencodeworker.bench;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/** Waiting in the benchmark, which measures time (it is no test: it asserts nothing). */
final class Waits {
    private static final long POLL_MS = 2;

    private Waits() {
    }

    static void until(Duration timeout, BooleanSupplier condition) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("not reached within " + timeout.toSeconds() + " s");
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MS);
        }
    }

    /**
     * Waits until {@code cpuMillis} (CPU time of the processes watched) grew by at most one clock tick
     * (10 ms) over the last {@code window}, or {@code timeout} passed; returns how long it waited (ms).
     */
    static long quiet(Duration window, Duration timeout, LongSupplier cpuMillis) throws InterruptedException {
        long started = System.nanoTime();
        Deque<long[]> samples = new ArrayDeque<>();
        while (true) {
            long now = System.nanoTime();
            long cpu = cpuMillis.getAsLong();
            samples.addLast(new long[] {now, cpu});
            while (samples.size() > 1 && now - samples.peekFirst()[0] > window.toNanos()) {
                samples.removeFirst();
            }
            boolean fullWindow = now - started >= window.toNanos();
            if (fullWindow && cpu - samples.peekFirst()[1] <= 10 || now - started > timeout.toNanos()) {
                return msSince(started);
            }
            TimeUnit.MILLISECONDS.sleep(window.toMillis() / 8);
        }
    }

    static void pause(Duration duration) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(duration.toMillis());
    }

    static long msSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }
}
