package com.opencodeworker.domain.port;

import java.time.Instant;

/** The time, injected so that timeouts and leases can be tested without waiting. */
@FunctionalInterface
public interface Clock {
    Instant now();

    static Clock system() {
        return Instant::now;
    }
}
