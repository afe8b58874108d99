package com.opencodeworker.application;

import com.opencodeworker.application.ActiveMessage.StopReason;
import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the worker once a stop was requested: lets running replies finish for the shutdown grace,
 * then aborts them (each completed with what it has), stops every OpenCode process and says goodbye
 * to the backend. A superseded worker aborts at once and leaves the backend to its successor. Stateless.
 */
public final class DrainAndStop {
    private static final Logger LOG = LoggerFactory.getLogger(DrainAndStop.class);
    private static final Duration FORCED_STOP_WAIT = Duration.ofSeconds(10);
    private static final long POLL_MS = 100;

    private final Backend backend;
    private final WorkDispatcher dispatcher;
    private final SessionProcesses processes;
    private final ReapIdleSessions reaper;
    private final WorkerLifecycle lifecycle;
    private final Duration shutdownGrace;

    public DrainAndStop(Backend backend, WorkDispatcher dispatcher, SessionProcesses processes,
                        ReapIdleSessions reaper, WorkerLifecycle lifecycle, Duration shutdownGrace) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
        this.processes = Objects.requireNonNull(processes, "processes");
        this.reaper = Objects.requireNonNull(reaper, "reaper");
        this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
        this.shutdownGrace = Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    }

    /**
     * Stops; call after the lifecycle's stop request.
     *
     * @return {@link ExitCode#OK} after a requested stop
     * @throws WorkerException the worker's failure: exit 4 when superseded, else the failure that stopped it
     */
    public ExitCode stop() throws InterruptedException {
        if (lifecycle.superseded()) {
            dispatcher.stopAll(StopReason.SUPERSEDED);
            processes.closeAll();
            dispatcher.awaitIdle(FORCED_STOP_WAIT.toMillis());
            throw lifecycle.failure().orElseThrow();
        }
        drain();
        processes.closeAll().forEach(reaper::markIdle);
        disconnect();
        if (lifecycle.failure().isPresent()) {
            throw lifecycle.failure().get();
        }
        LOG.info("Stopped");
        return ExitCode.OK;
    }

    private void drain() throws InterruptedException {
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        if (dispatcher.activeCount() > 0 && !lifecycle.forced()) {
            LOG.info("Waiting up to {} s for {} running repl{} to finish", shutdownGrace.toSeconds(),
                    dispatcher.activeCount(), dispatcher.activeCount() == 1 ? "y" : "ies");
        }
        while (!dispatcher.awaitIdle(POLL_MS)) {
            if (lifecycle.forced() || System.nanoTime() > deadline) {
                lifecycle.force();
                LOG.info("Aborting {} running repl{}; each is completed with what it has",
                        dispatcher.activeCount(), dispatcher.activeCount() == 1 ? "y" : "ies");
                dispatcher.stopAll(StopReason.SHUTDOWN);
                if (!dispatcher.awaitIdle(FORCED_STOP_WAIT.toMillis())) {
                    LOG.warn("Some replies did not end within {} s; stopping anyway", FORCED_STOP_WAIT.toSeconds());
                }
                return;
            }
        }
    }

    private void disconnect() {
        try {
            backend.disconnect();
        } catch (BackendException e) {
            LOG.warn("Could not say goodbye to Convex: {} (the machine shows offline after missed heartbeats)",
                    e.getMessage());
        }
    }
}
