package com.opencodeworker.application;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with ±50 % jitter: {@code min(base * 2^n, cap)} scaled by a random factor
 * in [0.5, 1.5). Immutable.
 */
public record RetryBackoff(Duration base, Duration cap, DoubleSupplier random) {

    public static RetryBackoff of(Duration base, Duration cap) {
        return new RetryBackoff(base, cap, Math::random);
    }

    /** The delay before retry number {@code retry} (0 for the first retry). */
    public Duration delay(int retry) {
        long baseMs = Math.max(1, base.toMillis());
        long exp = retry >= 30 ? Long.MAX_VALUE : baseMs << Math.min(retry, 30);
        long capped = Math.min(exp < 0 ? Long.MAX_VALUE : exp, cap.toMillis());
        return Duration.ofMillis(Math.max(1, Math.round(capped * (0.5 + random.getAsDouble()))));
    }
}
