package com.opencodeworker.infrastructure.convex.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SerialExecutorTest {
    private final SerialExecutor executor = new SerialExecutor();

    @Test
    void aTaskRunsOnThePostingThreadBeforeExecuteReturns() {
        List<Thread> ranOn = new ArrayList<>();

        executor.execute(() -> ranOn.add(Thread.currentThread()));

        assertThat(ranOn).containsExactly(Thread.currentThread());
    }

    @Test
    void aTaskPostedByATaskRunsAfterIt() {
        List<String> order = new ArrayList<>();

        executor.execute(() -> {
            executor.execute(() -> order.add("inner"));
            order.add("outer");
        });

        assertThat(order).containsExactly("outer", "inner");
    }

    @Test
    void whileAThreadRunsTasksAnotherThreadsTaskIsLeftToItAndRunsInOrder() throws Exception {
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        List<String> order = new CopyOnWriteArrayList<>();
        List<Thread> secondRanOn = new CopyOnWriteArrayList<>();
        CompletableFuture<Thread> first = CompletableFuture.supplyAsync(() -> {
            executor.execute(() -> {
                firstRunning.countDown();
                await(releaseFirst);
                order.add("first");
            });
            return Thread.currentThread();
        });
        firstRunning.await();

        executor.execute(() -> {
            order.add("second");
            secondRanOn.add(Thread.currentThread());
        });
        assertThat(order).as("execute returned at once, leaving the task to the running thread").isEmpty();
        releaseFirst.countDown();

        Thread runner = first.get(5, TimeUnit.SECONDS);
        assertThat(order).containsExactly("first", "second");
        assertThat(secondRanOn).containsExactly(runner);
    }

    @Test
    void aTaskThatThrowsDoesNotStopTheNext() {
        AtomicInteger ran = new AtomicInteger();

        executor.execute(() -> {
            executor.execute(ran::incrementAndGet);
            throw new IllegalStateException("broken task");
        });
        executor.execute(ran::incrementAndGet);

        assertThat(ran).hasValue(2);
    }

    @Test
    void afterShutdownTasksAreRefusedButQueuedOnesStillRun() {
        AtomicInteger ran = new AtomicInteger();

        executor.execute(() -> {
            executor.execute(ran::incrementAndGet);
            executor.shutdown();
        });

        assertThat(ran).hasValue(1);
        assertThatThrownBy(() -> executor.execute(ran::incrementAndGet)).isInstanceOf(RejectedExecutionException.class);
        assertThat(ran).hasValue(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(5, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
