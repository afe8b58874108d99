package com.opencodeworker.infrastructure.opencode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StartGateTest {
    private final StartGate starts = new StartGate(2);
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();

    private CompletableFuture<String> startLater(CountDownLatch until) {
        return CompletableFuture.supplyAsync(() -> starts.run(() -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                until.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
            return "started";
        }));
    }

    @Test
    void theFirstStartRunsAloneAndTheLaterOnesTogether() throws Exception {
        CountDownLatch firstDone = new CountDownLatch(1);
        CompletableFuture<String> first = startLater(firstDone);
        await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 1);
        CountDownLatch othersDone = new CountDownLatch(1);
        CompletableFuture<String> second = startLater(othersDone);
        CompletableFuture<String> third = startLater(othersDone);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> running.get() == 1);

        firstDone.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("started");
        await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 2);
        othersDone.countDown();

        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("started");
        assertThat(third.get(5, TimeUnit.SECONDS)).isEqualTo("started");
        assertThat(mostAtOnce.get()).isEqualTo(2);
    }

    @Test
    void afterTheFirstAtMostTheGivenNumberStartAtOnce() throws Exception {
        startLater(new CountDownLatch(0)).get(5, TimeUnit.SECONDS);
        CountDownLatch done = new CountDownLatch(1);
        List<CompletableFuture<String>> later = List.of(startLater(done), startLater(done), startLater(done));
        await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 2);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> running.get() == 2);
        done.countDown();

        for (CompletableFuture<String> start : later) {
            assertThat(start.get(5, TimeUnit.SECONDS)).isEqualTo("started");
        }
        assertThat(mostAtOnce.get()).isEqualTo(2);
    }

    @Test
    void aFailedFirstStartLeavesTheNextOneAloneToo() {
        CompletableFuture<String> failed = CompletableFuture.supplyAsync(() -> starts.run(() -> {
            throw new IllegalStateException("exited during startup");
        }));
        assertThat(failed).failsWithin(Duration.ofSeconds(5));

        CountDownLatch done = new CountDownLatch(1);
        CompletableFuture<String> next = startLater(done);
        await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 1);
        CompletableFuture<String> after = startLater(done);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> running.get() == 1);
        done.countDown();

        assertThat(next).succeedsWithin(Duration.ofSeconds(5));
        assertThat(after).succeedsWithin(Duration.ofSeconds(5));
        assertThat(mostAtOnce.get()).isEqualTo(1);
    }
}
