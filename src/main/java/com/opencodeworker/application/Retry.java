package com.opencodeworker.application;

import com.opencodeworker.domain.port.BackendException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls a remote operation until it succeeds, retrying only errors that say they are retryable,
 * with jittered backoff. Logs one line when an operation starts failing and one when it recovers,
 * not one per attempt. Stateless and thread-safe.
 */
public final class Retry {
    private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

    private final Backoff backoff;
    private final Sleeper sleeper;

    public Retry(Backoff backoff, Sleeper sleeper) {
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** The policy for backend calls: 250 ms doubling to 10 s. */
    public static Retry forBackend(Sleeper sleeper) {
        return new Retry(Backoff.of(Duration.ofMillis(250), Duration.ofSeconds(10)), sleeper);
    }

    /**
     * Runs {@code call} until it succeeds or throws a non-retryable {@link BackendException}.
     *
     * @param what      what is being done, for the log ("appendChunks for m1")
     * @param giveUp    checked before every retry; when true the last error is thrown
     * @throws BackendException the first permanent error, or the last transient one after {@code giveUp}
     * @throws InterruptedException when interrupted while waiting
     */
    public <T> T call(String what, Supplier<T> call, BooleanSupplier giveUp) throws InterruptedException {
        int failures = 0;
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
                if (failures == 0) {
                    LOG.warn("{} failed ({}); retrying with backoff", what, e.getMessage());
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
}
