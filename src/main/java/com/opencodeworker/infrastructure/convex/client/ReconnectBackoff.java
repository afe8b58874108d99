package com.opencodeworker.infrastructure.convex.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The reconnect delay policy of the official client: a base chosen by close reason (client reasons,
 * unknown/internal server closes, overload closes), doubled per failed attempt up to a cap, with
 * ±50 % jitter from an injected random source. Immutable and thread-safe when the source is.
 */
public final class ReconnectBackoff {
    private static final List<String> OVERLOAD_REASONS = List.of("SubscriptionsWorkerFullError",
            "TooManyConcurrentRequests", "CommitterFullError", "AwsTooManyRequestsException", "ExecuteFullError",
            "SystemTimeoutError", "ExpiredInQueue", "VectorIndexTooLarge", "SearchIndexTooLarge",
            "TooManyWritesInTimePeriod");

    private final Duration clientBase;
    private final Duration serverBase;
    private final Duration overloadBase;
    private final Duration max;
    private final DoubleSupplier random;

    /** {@code random} yields values in [0, 1). */
    public ReconnectBackoff(Duration clientBase, Duration serverBase, Duration overloadBase, Duration max, DoubleSupplier random) {
        this.clientBase = Objects.requireNonNull(clientBase);
        this.serverBase = Objects.requireNonNull(serverBase);
        this.overloadBase = Objects.requireNonNull(overloadBase);
        this.max = Objects.requireNonNull(max);
        this.random = Objects.requireNonNull(random);
    }

    /** 100 ms / 1 s / 3 s, capped at 16 s, as the JS client. */
    public static ReconnectBackoff standard() {
        return new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(16),
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * The delay before the next attempt.
     *
     * @param reason      the close reason (server reasons are matched by prefix)
     * @param clientSide  whether the client itself gave up the socket (inactivity, failed send, bad message)
     * @param failedTries attempts made since the connection was last healthy (0 for the first retry)
     */
    public Duration delay(String reason, boolean clientSide, int failedTries) {
        long base = baseFor(reason, clientSide).toMillis();
        long grown = base << Math.min(Math.max(failedTries, 0), 20);
        long capped = Math.min(grown, max.toMillis());
        double jitter = random.getAsDouble() - 0.5;
        return Duration.ofMillis(Math.max(0, Math.round(capped * (1 + jitter))));
    }

    Duration baseFor(String reason, boolean clientSide) {
        if (clientSide) {
            return clientBase;
        }
        String text = reason == null ? "" : reason;
        for (String overload : OVERLOAD_REASONS) {
            if (text.startsWith(overload)) {
                return overloadBase;
            }
        }
        return serverBase;
    }
}
