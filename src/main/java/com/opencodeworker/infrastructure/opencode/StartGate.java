package com.opencodeworker.infrastructure.opencode;

import com.opencodeworker.domain.port.AssistantException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Decides when a server start may run: the first one alone, then up to {@code parallel} at once.
 * A fresh OpenCode data directory gets its database on the first start, and servers starting
 * together there race on that migration (one exits with "CREATE TABLE ... already exists"); once
 * one server has started, the database exists. All the servers of a runtime share one data
 * directory (they inherit one environment). Starting is CPU-bound (OpenCode boots its runtime and
 * plugins), so more parallel starts than cores only make each one slower: measured on 2 cores, 8
 * at once took over 20 s each. The wait for a turn comes before the spawn, so start timeouts
 * count from the spawn. Thread-safe.
 */
final class StartGate {
    private final ReentrantLock first = new ReentrantLock();
    private final Semaphore turns;
    private volatile boolean oneStarted;

    StartGate(int parallel) {
        this.turns = new Semaphore(Math.max(1, parallel), true);
    }

    <T> T run(Supplier<T> start) {
        if (!oneStarted) {
            first.lock();
            try {
                if (!oneStarted) {
                    T started = start.get();
                    oneStarted = true;
                    return started;
                }
            } finally {
                first.unlock();
            }
        }
        try {
            turns.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssistantException("Interrupted while waiting to start OpenCode", e);
        }
        try {
            return start.get();
        } finally {
            turns.release();
        }
    }
}
