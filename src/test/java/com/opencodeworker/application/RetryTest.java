package com.opencodeworker.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.testing.LogCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RetryTest {
    private final List<Duration> sleeps = new ArrayList<>();
    private final Retry retry = new Retry(new RetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(2), () -> 0.5),
            sleeps::add);

    @Test
    void transientFailuresAreRetriedWithGrowingDelays() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();

        String result = retry.call("op", () -> {
            if (calls.incrementAndGet() <= 10) {
                throw new BackendException.Transient("down", null);
            }
            return "ok";
        }, () -> false);

        assertThat(result).isEqualTo("ok");
        assertThat(calls).hasValue(11);
        assertThat(sleeps).hasSize(10).startsWith(Duration.ofMillis(100), Duration.ofMillis(200))
                .endsWith(Duration.ofSeconds(2));
    }

    @Test
    void permanentErrorsAreThrownAtOnce() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> retry.call("op", () -> {
            calls.incrementAndGet();
            throw new BackendException.LeaseLost("gone");
        }, () -> false)).isInstanceOf(BackendException.LeaseLost.class);

        assertThat(calls).hasValue(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void givingUpThrowsTheLastTransientError() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> retry.run("op", () -> {
            calls.incrementAndGet();
            throw new BackendException.Transient("down " + calls.get(), null);
        }, () -> calls.get() >= 3)).hasMessage("down 3");
    }

    @Test
    void logsOneLinePerCauseNotPerAttemptAndOneOnRecovery() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        List<String> lines;
        try (LogCapture log = LogCapture.of(Retry.class)) {
            retry.call("connect", cause -> "Failed to connect: " + cause, () -> {
                int call = calls.incrementAndGet();
                if (call <= 6) {
                    throw new BackendException.Transient("query failed: " + (call <= 4 ? "refused" : "timeout"), null);
                }
                return "ok";
            }, () -> false);
            lines = log.messages();
        }

        assertThat(lines)
                .containsExactly("Failed to connect: refused; retrying with backoff (next in 100 ms)",
                        "Failed to connect: timeout; retrying with backoff (next in 1600 ms)",
                        "connect succeeded again after 6 failed attempts");
    }

    @Test
    void attemptsTimedByTheCallerSayTheDelayLogLikeCallAndStartAfreshAfterASuccess() {
        BackendException down = new BackendException.Transient("append failed: socket closed", null);
        List<String> lines;
        List<Duration> delays = new ArrayList<>();
        try (LogCapture log = LogCapture.of(Retry.class)) {
            Retry.Attempts attempts = retry.attempts("appendChunks for m1");
            delays.add(attempts.failed(down, () -> false).orElseThrow());
            delays.add(attempts.failed(down, () -> false).orElseThrow());
            attempts.succeeded();
            attempts.succeeded();
            delays.add(attempts.failed(down, () -> false).orElseThrow());
            assertThat(attempts.failed(new BackendException.LeaseLost("gone"), () -> false)).isEmpty();
            assertThat(attempts.failed(down, () -> true)).isEmpty();
            lines = log.messages();
        }

        assertThat(delays).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(100));
        assertThat(lines).containsExactly(
                "appendChunks for m1 failed (socket closed); retrying with backoff (next in 100 ms)",
                "appendChunks for m1 succeeded again after 2 failed attempts",
                "appendChunks for m1 failed (socket closed); retrying with backoff (next in 100 ms)");
        assertThat(sleeps).as("the caller waits, not the retry").isEmpty();
    }
}
