package com.opencodeworker.application;

import com.opencodeworker.domain.port.BackendException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls a remote operation until it succeeds, retrying only errors that say they are retryable,
 * with jittered backoff. Logs one line when the cause of failure changes and one when the
 * operation recovers, not one per attempt. Stateless and thread-safe.
 */
public final class Retry {
    private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

    private final RetryBackoff backoff;
    private final Sleeper sleeper;

    public Retry(RetryBackoff backoff, Sleeper sleeper) {
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** The policy for backend calls: 250 ms doubling to 10 s. */
    public static Retry forBackend(Sleeper sleeper) {
        return new Retry(RetryBackoff.of(Duration.ofMillis(250), Duration.ofSeconds(10)), sleeper);
    }

    /**
     * Runs {@code call} until it succeeds or throws a non-retryable {@link BackendException}.
     *
     * @param what   what is being done, for the log ("appendChunks for m1")
     * @param giveUp checked before every retry; when true the last error is thrown
     * @throws BackendException the first permanent error, or the last transient one after {@code giveUp}
     * @throws InterruptedException when interrupted while waiting
     */
    public <T> T call(String what, Supplier<T> call, BooleanSupplier giveUp) throws InterruptedException {
        return call(what, cause -> what + " failed (" + cause + ")", call, giveUp);
    }

    /** {@link #call(String, Supplier, BooleanSupplier)} with the failure line of the log made by {@code failure}. */
    public <T> T call(String what, Function<String, String> failure, Supplier<T> call, BooleanSupplier giveUp)
            throws InterruptedException {
        Attempts attempts = new Attempts(what, failure);
        while (true) {
            try {
                T result = call.get();
                attempts.succeeded();
                return result;
            } catch (BackendException e) {
                Optional<Duration> delay = attempts.failed(e, giveUp);
                if (delay.isEmpty()) {
                    throw e;
                }
                sleeper.sleep(delay.get());
            }
        }
    }

    /** The attempts at one operation, for a caller that waits between them on its own (a timer, not a sleep). */
    public Attempts attempts(String what) {
        return new Attempts(what, cause -> what + " failed (" + cause + ")");
    }

    /**
     * One operation's failures so far: decides whether to try again and after how long, and logs a
     * line when the cause of failure changes and one when the operation recovers. Not thread-safe:
     * one attempt at a time.
     */
    public final class Attempts {
        private final String what;
        private final Function<String, String> failure;
        private int failures;
        private String lastCause;

        private Attempts(String what, Function<String, String> failure) {
            this.what = what;
            this.failure = failure;
        }

        /** After {@code e}: how long to wait before the next attempt, or empty when {@code e} is final. */
        public Optional<Duration> failed(BackendException e, BooleanSupplier giveUp) {
            if (!e.retryable() || giveUp.getAsBoolean()) {
                return Optional.empty();
            }
            Duration delay = backoff.delay(failures);
            String cause = innermost(e.getMessage());
            if (!cause.equals(lastCause)) {
                LOG.warn("{}; retrying with backoff (next in {} ms)", failure.apply(cause), delay.toMillis());
                lastCause = cause;
            }
            failures++;
            return Optional.of(delay);
        }

        /** After a success: says so if attempts had failed, and starts counting afresh. */
        public void succeeded() {
            if (failures > 0) {
                LOG.info("{} succeeded again after {} failed attempt{}", what, failures, failures == 1 ? "" : "s");
            }
            failures = 0;
            lastCause = null;
        }
    }

    /** {@link #call} for operations without a result. */
    public void run(String what, Runnable call, BooleanSupplier giveUp) throws InterruptedException {
        call(what, () -> {
            call.run();
            return null;
        }, giveUp);
    }

    /** "machines:state failed (...): query machines:state failed: Connection refused" → "Connection refused". */
    static String innermost(String message) {
        String text = message == null ? "unknown error" : message;
        int at = text.lastIndexOf(" failed: ");
        return at >= 0 ? text.substring(at + " failed: ".length()) : text;
    }
}
