package com.opencodeworker.domain;

import java.util.Objects;
import java.util.Optional;

/**
 * One entry of {@code messages:work}: a user message that still needs work, with all the worker
 * needs to answer it. {@code attempt >= 1} on a pending item means an earlier try was interrupted
 * (the claim then returns a higher attempt, and the worker looks in OpenCode's history first).
 */
public record WorkItem(MessageId messageId, SessionId sessionId, WorkerId workerId, String directory,
                       Optional<OpenCodeSessionId> openCodeSessionId, String content, Optional<String> model,
                       long createdAt, Status status, Optional<String> claimedBy, Optional<Long> leaseExpiresAt,
                       int attempt, boolean cancelRequested) {

    /** Whether a message waits for a worker or is held by one. */
    public enum Status { PENDING, CLAIMED }

    public WorkItem {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(openCodeSessionId, "openCodeSessionId");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(claimedBy, "claimedBy");
        Objects.requireNonNull(leaseExpiresAt, "leaseExpiresAt");
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be >= 0");
        }
    }

    /** Claimed by this instance. */
    public boolean isClaimedBy(InstanceId instance) {
        return status == Status.CLAIMED && claimedBy.map(instance.value()::equals).orElse(false);
    }

    /** Claimed by another instance whose lease ran out: it may be claimed again. */
    public boolean hasExpiredLease(long nowMillis) {
        return status == Status.CLAIMED && leaseExpiresAt.map(at -> at <= nowMillis).orElse(true);
    }
}
