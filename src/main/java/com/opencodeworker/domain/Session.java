package com.opencodeworker.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A chat session as the worker tracks it: which worker it belongs to, the OpenCode session that
 * holds its history, its lifecycle and when it was last used. Immutable; changes return a copy.
 */
public record Session(SessionId id, WorkerId workerId, SessionStatus status,
                      Optional<OpenCodeSessionId> openCodeSessionId, Instant lastActivity) {
    public Session {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(openCodeSessionId, "openCodeSessionId");
        Objects.requireNonNull(lastActivity, "lastActivity");
    }

    /** True when the session is active but nothing happened in it for at least {@code timeout}. */
    public boolean isIdle(Instant now, Duration timeout) {
        return status == SessionStatus.ACTIVE && !lastActivity.plus(timeout).isAfter(now);
    }

    public Session touchedAt(Instant now) {
        return new Session(id, workerId, SessionStatus.ACTIVE, openCodeSessionId, now);
    }

    public Session idle() {
        return new Session(id, workerId, SessionStatus.IDLE, openCodeSessionId, lastActivity);
    }

    public Session withOpenCodeSession(OpenCodeSessionId openCodeSession) {
        return new Session(id, workerId, status, Optional.of(openCodeSession), lastActivity);
    }
}
