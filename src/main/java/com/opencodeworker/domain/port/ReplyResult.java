package com.opencodeworker.domain.port;

import com.opencodeworker.domain.Usage;
import java.util.Objects;
import java.util.Optional;

/**
 * How a turn ended: the full text and reasoning produced (also when it failed), OpenCode's parts as
 * JSON, usage where known, and the failure if any.
 */
public record ReplyResult(String text, String reasoning, Optional<String> partsJson, Optional<Usage> usage,
                          Optional<Failure> failure) {
    public ReplyResult {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(reasoning, "reasoning");
        Objects.requireNonNull(partsJson, "partsJson");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(failure, "failure");
    }

    public static ReplyResult failed(Failure.Kind kind, String message, String partialText) {
        return new ReplyResult(partialText, "", Optional.empty(), Optional.empty(),
                Optional.of(new Failure(kind, message)));
    }

    public boolean succeeded() {
        return failure.isEmpty();
    }

    /** Why a turn did not finish normally; {@code message} is readable by the user. */
    public record Failure(Kind kind, String message) {
        /** The classes of failure the worker treats differently. */
        public enum Kind {
            /** Stopped on request (cancel, shutdown). */
            ABORTED,
            /** The model provider answered with an error. */
            MODEL_ERROR,
            /** The model named by the message is not configured. */
            UNKNOWN_MODEL,
            /** The assistant process exited or stopped answering. */
            PROCESS_DIED,
            /** Anything else. */
            OTHER
        }
    }
}
