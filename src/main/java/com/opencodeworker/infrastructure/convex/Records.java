package com.opencodeworker.infrastructure.convex;

import static com.opencodeworker.infrastructure.convex.Values.bool;
import static com.opencodeworker.infrastructure.convex.Values.nullableString;
import static com.opencodeworker.infrastructure.convex.Values.nullableTimestamp;
import static com.opencodeworker.infrastructure.convex.Values.smallIntegral;
import static com.opencodeworker.infrastructure.convex.Values.string;
import static com.opencodeworker.infrastructure.convex.Values.timestamp;

import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.Session;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.SessionStatus;
import com.opencodeworker.domain.WorkItem;
import com.opencodeworker.domain.Worker;
import com.opencodeworker.domain.WorkerId;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Decodes the contract's records ({@code Worker}, {@code Session}, {@code Work}) into domain values.
 * Every field is checked; anything off is a {@link FormatException} naming the field.
 */
final class Records {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private Records() {
    }

    static Worker worker(Map<?, ?> record) {
        return guarded(() -> new Worker(new WorkerId(string(record, "workerId")), string(record, "name"),
                string(record, "directory"), timestamp(record, "createdAt")));
    }

    static Session session(Map<?, ?> record) {
        return guarded(() -> new Session(new SessionId(string(record, "sessionId")),
                new WorkerId(string(record, "workerId")), sessionStatus(string(record, "status")),
                nullableString(record, "opencodeSessionId").map(OpenCodeSessionId::new),
                Instant.ofEpochMilli(timestamp(record, "lastActivity"))));
    }

    static WorkItem workItem(Map<?, ?> record) {
        return guarded(() -> {
            WorkItem.Status status = workStatus(string(record, "status"));
            Optional<String> claimedBy = nullableString(record, "claimedBy");
            if (status == WorkItem.Status.CLAIMED && claimedBy.isEmpty()) {
                throw new FormatException("field claimedBy must be set on a claimed item");
            }
            int attempt = smallIntegral(record, "attempt");
            if (attempt < 0) {
                throw new FormatException("field attempt must be >= 0");
            }
            return new WorkItem(new MessageId(string(record, "messageId")), new SessionId(string(record, "sessionId")),
                    new WorkerId(string(record, "workerId")), string(record, "directory"),
                    nullableString(record, "opencodeSessionId").map(OpenCodeSessionId::new),
                    string(record, "content"), nullableString(record, "model"), timestamp(record, "createdAt"),
                    status, claimedBy, nullableTimestamp(record, "leaseExpiresAt"), attempt,
                    bool(record, "cancelRequested"));
        });
    }

    /** The id a record names itself by, for a warning about it; empty when it has none usable. */
    static Optional<String> idOf(Map<?, ?> record, String field) {
        return record.get(field) instanceof String id && ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
    }

    private static SessionStatus sessionStatus(String wire) {
        for (SessionStatus status : SessionStatus.values()) {
            if (status.wireName().equals(wire)) {
                return status;
            }
        }
        throw new FormatException("field status must be active, idle or closed");
    }

    private static WorkItem.Status workStatus(String wire) {
        return switch (wire) {
            case "pending" -> WorkItem.Status.PENDING;
            case "claimed" -> WorkItem.Status.CLAIMED;
            default -> throw new FormatException("field status must be pending or claimed");
        };
    }

    /** Turns the domain's own validation failures (an id of the wrong form) into format errors. */
    private static <T> T guarded(Supplier<T> decode) {
        try {
            return decode.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new FormatException(e.getMessage());
        }
    }
}
