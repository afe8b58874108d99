package com.opencodeworker.infrastructure.convex.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReconnectBackoffTest {
    private static final double NO_JITTER = 0.5;

    private static ReconnectBackoff withRandom(double random) {
        return new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(16),
                () -> random);
    }

    @Test
    void clientReasonsStartAtOneHundredMillis() {
        assertThat(withRandom(NO_JITTER).delay("InactiveServer", true, 0)).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void internalAndUnknownServerClosesStartAtOneSecond() {
        ReconnectBackoff backoff = withRandom(NO_JITTER);
        assertThat(backoff.delay("InternalServerError", false, 0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay("closed with code 1006", false, 0)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void overloadReasonsMatchedByPrefixStartAtThreeSeconds() {
        ReconnectBackoff backoff = withRandom(NO_JITTER);
        assertThat(backoff.delay("SubscriptionsWorkerFullError", false, 0)).isEqualTo(Duration.ofSeconds(3));
        assertThat(backoff.delay("TooManyConcurrentRequests: slow down", false, 0)).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void delayDoublesPerFailedTryUpToSixteenSeconds() {
        ReconnectBackoff backoff = withRandom(NO_JITTER);
        assertThat(backoff.delay("InternalServerError", false, 1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delay("InternalServerError", false, 3)).isEqualTo(Duration.ofSeconds(8));
        assertThat(backoff.delay("InternalServerError", false, 4)).isEqualTo(Duration.ofSeconds(16));
        assertThat(backoff.delay("InternalServerError", false, 60)).isEqualTo(Duration.ofSeconds(16));
    }

    @Test
    void jitterSpansPlusMinusFiftyPercent() {
        assertThat(withRandom(0.0).delay("InternalServerError", false, 0)).isEqualTo(Duration.ofMillis(500));
        assertThat(withRandom(0.999).delay("InternalServerError", false, 0)).isEqualTo(Duration.ofMillis(1499));
        assertThat(withRandom(0.0).delay("x", false, 10)).isEqualTo(Duration.ofSeconds(8));
    }

    @Test
    void standardPolicyStaysWithinJitterBounds() {
        Duration delay = ReconnectBackoff.standard().delay("InternalServerError", false, 0);
        assertThat(delay).isBetween(Duration.ofMillis(500), Duration.ofMillis(1500));
    }
}
