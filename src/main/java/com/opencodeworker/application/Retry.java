package com.opencodeworker.application;

import com.opencodeworker.domain.port.BackendException;
import java.time.Duration;
import java.util.Objects;
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
        int failures = 0;
        String lastCause = null;
        while (true) {
            try {
                T result = call.get();
                if (failures > 0) {
                    LOG.info("{} succeeded again after {} failed attempt{}", what, failures, failures == 1 ? "" : "s");
                }
                return result;
            } catch (BackendException e) {
                if (!e.retryable() || giveUp.getAsBoolean()) {
                    throw e;
                }
                Duration delay = backoff.delay(failures);
                String cause = innermost(e.getMessage());
                if (!cause.equals(lastCause)) {
                    LOG.warn("{}; retrying with backoff (next in {} ms)", failure.apply(cause), delay.toMillis());
                    lastCause = cause;
                }
                failures++;
                sleeper.sleep(delay);
            }
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
