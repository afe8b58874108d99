package com.opencodeworker.application;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RetryBackoffTest {

    @Test
    void delaysDoubleUpToTheCap() {
        RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.5);

        assertThat(backoff.delay(0)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofMillis(800));
        assertThat(backoff.delay(4)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(500)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void jitterSpansHalfToOneAndAHalfTimesTheDelay() {
        assertThat(new RetryBackoff(Duration.ofMillis(1000), Duration.ofSeconds(10), () -> 0.0).delay(0))
                .isEqualTo(Duration.ofMillis(500));
        assertThat(new RetryBackoff(Duration.ofMillis(1000), Duration.ofSeconds(10), () -> 0.999).delay(0))
                .isEqualTo(Duration.ofMillis(1499));
    }
}
