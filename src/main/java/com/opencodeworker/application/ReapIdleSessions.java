package com.opencodeworker.application;

import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.SessionStatus;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the OpenCode process of every session without activity for the idle timeout and marks
 * the session {@code idle}; its next message resumes the same OpenCode session. Stateless.
 */
public final class ReapIdleSessions {
    private static final Logger LOG = LoggerFactory.getLogger(ReapIdleSessions.class);

    private final Backend backend;
    private final SessionProcesses processes;
    private final Duration idleTimeout;
    private final WorkerLifecycle lifecycle;

    public ReapIdleSessions(Backend backend, SessionProcesses processes, Duration idleTimeout,
                            WorkerLifecycle lifecycle) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.processes = Objects.requireNonNull(processes, "processes");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
    }

    public void run() {
        processes.stopIdle(idleTimeout).forEach(this::markIdle);
    }

    /** Tells the backend that {@code session} has no process any more. */
    public void markIdle(SessionId session) {
        try {
            backend.updateSession(session, Optional.of(SessionStatus.IDLE), Optional.empty());
        } catch (BackendException.Superseded e) {
            lifecycle.supersede(e.getMessage());
        } catch (BackendException e) {
            LOG.warn("Could not mark session {} idle: {}", session, e.getMessage());
        }
    }
}
