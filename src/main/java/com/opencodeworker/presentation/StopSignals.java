package com.opencodeworker.presentation;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Routes SIGINT and SIGTERM to the server instead of letting the JVM exit at once, so that the
 * first signal drains and the second aborts. Shutdown hooks cannot tell a first signal from a second.
 */
final class StopSignals {
    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

    private StopSignals() {
    }

    /** Calls {@code onSignal} on every SIGINT or SIGTERM from now on. */
    static void install(Runnable onSignal) {
        for (String name : List.of("INT", "TERM")) {
            try {
                Signal.handle(new Signal(name), signal -> onSignal.run());
            } catch (IllegalArgumentException e) {
                LOG.debug("Signal {} cannot be handled here: {}", name, e.getMessage());
            }
        }
    }
}
