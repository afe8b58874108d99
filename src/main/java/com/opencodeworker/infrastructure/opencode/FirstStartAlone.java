package com.opencodeworker.infrastructure.opencode;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Lets the first server start run alone, the rest in parallel. A fresh OpenCode data directory
 * gets its database on the first start, and servers starting together there race on that
 * migration (one exits with "CREATE TABLE ... already exists"); once one server has started, the
 * database exists and starts no longer interfere. All the servers of a runtime share one data
 * directory (they inherit one environment). Thread-safe.
 */
final class FirstStartAlone {
    private final ReentrantLock first = new ReentrantLock();
    private volatile boolean oneStarted;

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
        return start.get();
    }
}
