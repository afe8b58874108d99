package com.opencodeworker.infrastructure.convex;

import static com.opencodeworker.infrastructure.convex.Values.bool;
import static com.opencodeworker.infrastructure.convex.Values.integral;
import static com.opencodeworker.infrastructure.convex.Values.object;
import static com.opencodeworker.infrastructure.convex.Values.smallIntegral;
import static com.opencodeworker.infrastructure.convex.Values.string;
import static com.opencodeworker.infrastructure.convex.Values.timestamp;

import com.opencodeworker.domain.port.Backend.AppendResult;
import com.opencodeworker.domain.port.Backend.ClaimResult;
import com.opencodeworker.domain.port.Backend.Claimed;
import com.opencodeworker.domain.port.Backend.ConnectResult;
import com.opencodeworker.domain.port.Backend.NotClaimed;
import java.util.Map;

/** Decodes the answers of the contract's mutations; a malformed answer is a {@link FormatException}. */
final class Answers {

    private Answers() {
    }

    static ConnectResult connect(Object value) {
        Map<?, ?> answer = object(value, "the answer");
        long heartbeat = integral(answer, "heartbeatIntervalMs");
        long lease = integral(answer, "leaseMs");
        if (heartbeat <= 0 || lease <= 0) {
            throw new FormatException("heartbeatIntervalMs and leaseMs must be positive");
        }
        return new ConnectResult(string(answer, "machineName"), heartbeat, lease);
    }

    static long heartbeat(Object value) {
        return timestamp(object(value, "the answer"), "leaseExpiresAt");
    }

    static ClaimResult claim(Object value) {
        Map<?, ?> answer = object(value, "the answer");
        if (bool(answer, "claimed")) {
            int attempt = smallIntegral(answer, "attempt");
            if (attempt < 1) {
                throw new FormatException("field attempt of a claim must be >= 1");
            }
            return new Claimed(attempt, timestamp(answer, "leaseExpiresAt"));
        }
        return new NotClaimed(switch (string(answer, "reason")) {
            case "taken" -> NotClaimed.Reason.TAKEN;
            case "done" -> NotClaimed.Reason.DONE;
            case "cancelled" -> NotClaimed.Reason.CANCELLED;
            case "not_found" -> NotClaimed.Reason.NOT_FOUND;
            default -> throw new FormatException("field reason must be taken, done, cancelled or not_found");
        });
    }

    static AppendResult appendChunks(Object value) {
        Map<?, ?> answer = object(value, "the answer");
        return new AppendResult(timestamp(answer, "leaseExpiresAt"), bool(answer, "cancelRequested"));
    }
}
