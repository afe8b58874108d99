package com.opencodeworker.infrastructure.opencode;

import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts and bounds of the OpenCode adapter: how long a server may take to start, how long it
 * gets to stop before it is killed, and how long the event stream may stay silent.
 */
public record OpenCodeOptions(Duration startupTimeout, Duration stopGrace, Duration eventSilenceTimeout,
                              Duration requestTimeout, Duration versionTimeout, Duration abortGrace,
                              int outputTailLines) {

    public OpenCodeOptions {
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        Objects.requireNonNull(stopGrace, "stopGrace");
        Objects.requireNonNull(eventSilenceTimeout, "eventSilenceTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(versionTimeout, "versionTimeout");
        Objects.requireNonNull(abortGrace, "abortGrace");
        if (outputTailLines < 1) {
            throw new IllegalArgumentException("outputTailLines must be positive: " + outputTailLines);
        }
    }

    /** 60 s to start (measured up to 21 s on a loaded 2-core machine), 3 s to stop, 30 s of event silence (heartbeats come every 10 s). */
    public static OpenCodeOptions defaults() {
        return new OpenCodeOptions(Duration.ofSeconds(60), Duration.ofSeconds(3), Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofSeconds(15), Duration.ofSeconds(5), 40);
    }

    public OpenCodeOptions withStartupTimeout(Duration timeout) {
        return new OpenCodeOptions(timeout, stopGrace, eventSilenceTimeout, requestTimeout, versionTimeout, abortGrace,
                outputTailLines);
    }

    public OpenCodeOptions withStopGrace(Duration grace) {
        return new OpenCodeOptions(startupTimeout, grace, eventSilenceTimeout, requestTimeout, versionTimeout, abortGrace,
                outputTailLines);
    }

    public OpenCodeOptions withEventSilenceTimeout(Duration timeout) {
        return new OpenCodeOptions(startupTimeout, stopGrace, timeout, requestTimeout, versionTimeout, abortGrace,
                outputTailLines);
    }
}
