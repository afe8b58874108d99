package com.opencodeworker.infrastructure.convex;

import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.infrastructure.convex.client.ConvexException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps what a Convex call threw to the backend port's exceptions: the contract's error codes to
 * their types, retryable failures to {@link BackendException.Transient}, the rest to permanent
 * errors. Messages name the function and never carry the secret. Thread-safe (stateless).
 */
final class CallErrors {
    private static final Logger LOG = LoggerFactory.getLogger(CallErrors.class);

    private final SecretScrubber scrubber;

    CallErrors(SecretScrubber scrubber) {
        this.scrubber = scrubber;
    }

    /** The port exception for a failed call of {@code function}; a permanent unknown error is logged once here. */
    BackendException map(String function, ConvexException error) {
        if (error instanceof ConvexException.FunctionError functionError) {
            return functionError(function, functionError);
        }
        String detail = scrubber.scrub(error.getMessage());
        if (error.retryable()) {
            return new BackendException.Transient(function + " failed (will be retried): " + detail,
                    new ScrubbedCause(error, scrubber));
        }
        if (error instanceof ConvexException.Fatal) {
            return new BackendException(function + " failed: the Convex connection stopped for good: " + detail, false);
        }
        LOG.warn("{} was refused: {}", function, detail);
        return new BackendException.Rejected(function + " was refused: " + detail);
    }

    /** Any other failure of the client (a bug, or a closed client): permanent. */
    BackendException unexpected(String function, RuntimeException error) {
        String detail = error.getClass().getSimpleName() + ": " + scrubber.scrub(error.getMessage());
        LOG.warn("{} failed unexpectedly: {}", function, detail);
        return new BackendException(function + " failed unexpectedly: " + detail, false);
    }

    /** The backend answered, but not with what the contract promises. */
    BackendException malformedAnswer(String function, FormatException error) {
        String detail = scrubber.scrub(error.getMessage());
        LOG.warn("{} answered with a malformed value: {}", function, detail);
        return new BackendException.Rejected(function + " answered with a malformed value: " + detail);
    }

    /** One line describing a function error, for a subscription's log. */
    String describe(String function, ConvexException.FunctionError error) {
        return function + ": " + error.code().map(code -> code + ": ").orElse("") + serverMessage(error);
    }

    private BackendException functionError(String function, ConvexException.FunctionError error) {
        String message = describe(function, error);
        return switch (error.code().orElse("")) {
            case "UNAUTHORIZED" -> new BackendException.Unauthorized(message);
            case "SUPERSEDED" -> new BackendException.Superseded(message);
            case "LEASE_LOST" -> new BackendException.LeaseLost(message);
            case "NOT_FOUND" -> new BackendException.NotFound(message);
            case "INVALID_ARGUMENT" -> new BackendException.Rejected(message);
            default -> {
                LOG.warn("{} was rejected: {}", function, message);
                yield new BackendException.Rejected(message);
            }
        };
    }

    /** The ConvexError's own {@code data.message} when there is one: shorter than Convex's wrapped text. */
    private String serverMessage(ConvexException.FunctionError error) {
        if (error.data() instanceof Map<?, ?> data && data.get("message") instanceof String message) {
            return scrubber.scrub(message);
        }
        return scrubber.scrub(error.getMessage());
    }
}
