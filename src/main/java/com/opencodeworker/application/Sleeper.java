package com.opencodeworker.application;

import java.time.Duration;

/** Waits; injected so that a test of ten retries runs in milliseconds. */
@FunctionalInterface
public interface Sleeper {
    /** Waits for {@code duration}; throws when interrupted. */
    void sleep(Duration duration) throws InterruptedException;

    static Sleeper system() {
        return duration -> Thread.sleep(duration.toMillis());
    }
}
