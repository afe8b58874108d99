package com.opencodeworker.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.application.ActiveMessage.StopReason;
import com.opencodeworker.domain.InstanceId;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.WorkItem;
import com.opencodeworker.domain.WorkerId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WorkDispatcherTest {
    private static final InstanceId SELF = InstanceId.random();
    private static final InstanceId OTHER = InstanceId.random();
    private static final SessionId S1 = new SessionId("s1");
    /** Longer than the class timeout: an awaitIdle given it returns only when woken. */
    private static final long UNTIL_WOKEN_MS = TimeUnit.MINUTES.toMillis(1);

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochMilli(1_000_000));
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final WorkerLifecycle lifecycle = new WorkerLifecycle();
    private final List<String> started = new CopyOnWriteArrayList<>();
    private final List<String> finished = new CopyOnWriteArrayList<>();
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Map<String, StopReason> stops = new ConcurrentHashMap<>();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private Outcome outcome = Outcome.DONE;

    private final Map<String, Exception> failOnce = new ConcurrentHashMap<>();

    private final WorkDispatcher dispatcher = new WorkDispatcher(SELF, now::get, (item, active) -> {
        String id = item.messageId().value();
        started.add(id);
        maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
        try {
            Exception failure = failOnce.remove(id);
            if (failure instanceof InterruptedException interrupted) {
                throw interrupted;
            } else if (failure != null) {
                throw (RuntimeException) failure;
            }
            CountDownLatch gate = gates.get(id);
            if (gate != null) {
                while (!gate.await(10, TimeUnit.MILLISECONDS)) {
                    if (active.stopReason().isPresent()) {
                        stops.put(id, active.stopReason().get());
                        break;
                    }
                }
            }
        } finally {
            concurrent.decrementAndGet();
            finished.add(id);
        }
        return outcome;
    }, executor, lifecycle);

    @AfterEach
    void tearDown() {
        gates.values().forEach(CountDownLatch::countDown);
        executor.shutdownNow();
    }

    private static WorkItem pending(String id, String session, long createdAt) {
        return new WorkItem(new MessageId(id), new SessionId(session), new WorkerId("w"), "dir", Optional.empty(),
                "hi", Optional.empty(), createdAt, WorkItem.Status.PENDING, Optional.empty(), Optional.empty(), 0,
                false);
    }

    private static WorkItem claimed(String id, InstanceId by, long leaseExpiresAt, boolean cancel) {
        return new WorkItem(new MessageId(id), new SessionId("s1"), new WorkerId("w"), "dir", Optional.empty(),
                "hi", Optional.empty(), 1, WorkItem.Status.CLAIMED, Optional.of(by.value()),
                Optional.of(leaseExpiresAt), 1, cancel);
    }

    private CountDownLatch gate(String id) {
        return gates.computeIfAbsent(id, k -> new CountDownLatch(1));
    }

    @Test
    void messagesOfOneSessionAreAnsweredOneAtATimeOldestFirst() {
        gate("m1");
        dispatcher.onWork(List.of(pending("m2", "s1", 2), pending("m1", "s1", 1), pending("m3", "s1", 3)));
        await().atMost(Duration.ofSeconds(5)).until(() -> started.equals(List.of("m1")));

        gate("m1").countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> finished.size() == 3);
        assertThat(started).containsExactly("m1", "m2", "m3");
        assertThat(maxConcurrent).hasValue(1);
    }

    @Test
    void sessionsAreAnsweredInParallel() {
        gate("a");
        gate("b");
        dispatcher.onWork(List.of(pending("a", "s1", 1), pending("b", "s2", 2)));

        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 2);
        assertThat(concurrent).hasValue(2);
    }

    @Test
    void aMessageSeenInSeveralSnapshotsIsTakenOnce() throws InterruptedException {
        gate("m1");
        dispatcher.onWork(List.of(pending("m1", "s1", 1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 1);
        dispatcher.onWork(List.of(claimed("m1", SELF, 2_000_000, false)));
        gate("m1").countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> finished.size() == 1);

        dispatcher.onWork(List.of(claimed("m1", SELF, 2_000_000, false)));
        dispatcher.reevaluate();

        assertThat(dispatcher.awaitIdle(5000)).isTrue();
        assertThat(started).containsExactly("m1");
        assertThat(dispatcher.activeCount()).isZero();
    }

    @Test
    void aMessageHeldByAnotherInstanceIsTakenOnlyOnceItsLeaseExpired() {
        dispatcher.onWork(List.of(claimed("m1", OTHER, 1_500_000, false)));
        dispatcher.reevaluate();
        assertThat(dispatcher.hasWaitingWork(S1)).isFalse();
        assertThat(started).isEmpty();

        now.set(Instant.ofEpochMilli(1_500_000));
        dispatcher.reevaluate();

        await().atMost(Duration.ofSeconds(5)).until(() -> started.equals(List.of("m1")));
    }

    @Test
    void aMessageHeldByAnotherInstanceAsksForARecheckUntilItIsTaken() {
        AtomicInteger rechecks = new AtomicInteger();
        dispatcher.onRecheckNeeded(rechecks::incrementAndGet);

        dispatcher.onWork(List.of(claimed("m1", OTHER, 1_500_000, false)));
        assertThat(rechecks).hasValue(1);
        dispatcher.reevaluate();
        assertThat(rechecks).hasValue(2);

        now.set(Instant.ofEpochMilli(1_500_000));
        dispatcher.reevaluate();
        await().atMost(Duration.ofSeconds(5)).until(() -> finished.equals(List.of("m1")));
        dispatcher.onWork(List.of(claimed("m1", SELF, 2_000_000, false)));

        assertThat(rechecks).hasValue(2);
    }

    @Test
    void nothingToLookAtAgainAsksForNoRecheck() {
        AtomicInteger rechecks = new AtomicInteger();
        dispatcher.onRecheckNeeded(rechecks::incrementAndGet);
        gate("m1");

        dispatcher.onWork(List.of());
        dispatcher.onWork(List.of(pending("m1", "s1", 1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 1);
        dispatcher.onWork(List.of(claimed("m1", SELF, 2_000_000, false)));
        dispatcher.reevaluate();

        assertThat(rechecks).hasValue(0);
    }

    @Test
    void aStoppingWorkerAsksForNoRecheck() {
        AtomicInteger rechecks = new AtomicInteger();
        dispatcher.onRecheckNeeded(rechecks::incrementAndGet);
        lifecycle.requestStop();

        dispatcher.onWork(List.of(claimed("m1", OTHER, 1_500_000, false), pending("m2", "s1", 2)));

        assertThat(rechecks).hasValue(0);
        assertThat(started).isEmpty();
    }

    @Test
    void aReleasedMessageStillListedAsksForARecheck() {
        AtomicInteger rechecks = new AtomicInteger();
        dispatcher.onRecheckNeeded(rechecks::incrementAndGet);
        outcome = Outcome.RELEASED;
        gate("m1");
        dispatcher.onWork(List.of(pending("m1", "s1", 1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 1);
        dispatcher.onWork(List.of(pending("m1", "s1", 1)));
        assertThat(rechecks).hasValue(0);

        gate("m1").countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> rechecks.get() == 1);
        dispatcher.reevaluate();
        await().atMost(Duration.ofSeconds(5)).until(() -> started.equals(List.of("m1", "m1")));
    }

    @Test
    void aCancelReachesTheRunningReply() {
        gate("m1");
        dispatcher.onWork(List.of(pending("m1", "s1", 1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 1);

        dispatcher.onWork(List.of(claimed("m1", SELF, 2_000_000, true)));

        await().atMost(Duration.ofSeconds(5)).until(() -> stops.get("m1") == StopReason.CANCELLED);
    }

    @Test
    void aReleasedMessageIsTakenAgainByALaterSnapshot() {
        outcome = Outcome.RELEASED;
        dispatcher.onWork(List.of(pending("m1", "s1", 1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> finished.size() == 1);

        dispatcher.onWork(List.of(pending("m1", "s1", 1)));

        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 2);
    }

    @Test
    void aPendingMessageAlreadyCancelledIsIgnored() {
        WorkItem cancelled = new WorkItem(new MessageId("m1"), new SessionId("s1"), new WorkerId("w"), "dir",
                Optional.empty(), "hi", Optional.empty(), 1, WorkItem.Status.PENDING, Optional.empty(),
                Optional.empty(), 0, true);

        dispatcher.onWork(List.of(cancelled, pending("m2", "s1", 2)));

        await().atMost(Duration.ofSeconds(5)).until(() -> finished.size() == 1);
        assertThat(started).containsExactly("m2");
    }

    @Test
    void noNewWorkIsTakenWhileStopping() throws InterruptedException {
        gate("m1");
        dispatcher.onWork(List.of(pending("m1", "s1", 1), pending("m2", "s1", 2)));
        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 1);

        lifecycle.requestStop();
        dispatcher.onWork(List.of(pending("m1", "s1", 1), pending("m2", "s1", 2), pending("m3", "s2", 3)));
        gate("m1").countDown();

        assertThat(dispatcher.awaitIdle(5000)).isTrue();
        assertThat(started).containsExactly("m1");
        assertThat(dispatcher.hasWaitingWork(S1)).isFalse();
    }

    @Test
    void stopAllStopsEveryRunningReply() {
        gate("a");
        gate("b");
        dispatcher.onWork(List.of(pending("a", "s1", 1), pending("b", "s2", 2)));
        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 2);

        dispatcher.stopAll(StopReason.SHUTDOWN);

        await().atMost(Duration.ofSeconds(5)).until(() -> stops.size() == 2);
        assertThat(stops.values()).containsOnly(StopReason.SHUTDOWN);
    }

    @Test
    void aHandlerThatThrowsReleasesTheMessageAndTheSessionGoesOn() {
        failOnce.put("m1", new IllegalStateException("a bug"));
        dispatcher.onWork(List.of(pending("m1", "s1", 1), pending("m2", "s1", 2)));
        await().atMost(Duration.ofSeconds(5)).until(() -> finished.size() == 2);

        dispatcher.onWork(List.of(pending("m1", "s1", 1)));

        await().atMost(Duration.ofSeconds(5)).until(() -> finished.size() == 3);
        assertThat(started).containsExactly("m1", "m2", "m1");
    }

    @Test
    void anInterruptedSessionStopsAndItsMessageCanBeTakenAgain() throws InterruptedException {
        failOnce.put("m1", new InterruptedException("stopping"));
        dispatcher.onWork(List.of(pending("m1", "s1", 1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> finished.size() == 1);
        assertThat(dispatcher.awaitIdle(5000)).isTrue();

        dispatcher.onWork(List.of(pending("m1", "s1", 1)));

        await().atMost(Duration.ofSeconds(5)).until(() -> finished.size() == 2);
        assertThat(started).containsExactly("m1", "m1");
    }

    @Test
    void awaitIdleWaitsForTheRunningSessions() throws InterruptedException {
        gate("m1");
        dispatcher.onWork(List.of(pending("m1", "s1", 1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 1);

        assertThat(dispatcher.activeCount()).isEqualTo(1);
        assertThat(dispatcher.awaitIdle(50)).isFalse();
        gate("m1").countDown();
        assertThat(dispatcher.awaitIdle(5000)).isTrue();
        assertThat(dispatcher.activeCount()).isZero();
    }

    @Test
    void aMessageThisInstanceHeldBeforeIsTakenAgain() {
        dispatcher.onWork(List.of(claimed("m1", SELF, 2_000_000, false)));

        await().atMost(Duration.ofSeconds(5)).until(() -> started.equals(List.of("m1")));
    }

    @Test
    void aDoneMessageThatLeftTheSnapshotAndCameBackIsTakenAgain() {
        dispatcher.onWork(List.of(pending("m1", "s1", 1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> finished.size() == 1);
        dispatcher.onWork(List.of(pending("m1", "s1", 1)));
        dispatcher.onWork(List.of());

        dispatcher.onWork(List.of(pending("m1", "s1", 1)));

        await().atMost(Duration.ofSeconds(5)).until(() -> finished.size() == 2);
        assertThat(started).containsExactly("m1", "m1");
    }

    @Test
    void workIsDroppedWhenTheExecutorRefusesIt() throws InterruptedException {
        executor.shutdownNow();

        dispatcher.onWork(List.of(pending("m1", "s1", 1)));

        assertThat(dispatcher.awaitIdle(1000)).isTrue();
        assertThat(started).isEmpty();
    }

    @Test
    void aSessionHasWaitingWorkWhileItsMessageRuns() throws InterruptedException {
        gate("m1");
        dispatcher.onWork(List.of(pending("m1", "s1", 1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 1);

        assertThat(dispatcher.hasWaitingWork(S1)).isTrue();
        assertThat(dispatcher.hasWaitingWork(new SessionId("s2"))).isFalse();
        gate("m1").countDown();
        assertThat(dispatcher.awaitIdle(5000)).isTrue();
        assertThat(dispatcher.hasWaitingWork(S1)).isFalse();
    }

    @Test
    void awaitIdleReturnsAsSoonAsTheLastSessionEnds() throws Exception {
        gate("m1");
        dispatcher.onWork(List.of(pending("m1", "s1", 1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 1);
        CompletableFuture<Boolean> idle = awaitingIdle();

        gate("m1").countDown();

        assertThat(idle.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aSessionInterruptedMidReplyEndsAndLeavesItsQueuedMessagesWaiting() throws Exception {
        gate("m1");
        dispatcher.onWork(List.of(pending("m1", "s1", 1), pending("m2", "s1", 2)));
        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 1);
        CompletableFuture<Boolean> idle = awaitingIdle();

        executor.shutdownNow();

        assertThat(idle.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(started).containsExactly("m1");
        assertThat(dispatcher.hasWaitingWork(S1)).isTrue();
    }

    @Test
    void aRunningMessageThatLeftTheSnapshotAndCameBackIsNotTakenTwice() throws InterruptedException {
        gate("m1");
        dispatcher.onWork(List.of(pending("m1", "s1", 1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 1);
        dispatcher.onWork(List.of());

        dispatcher.onWork(List.of(claimed("m1", SELF, 2_000_000, false)));
        gate("m1").countDown();

        assertThat(dispatcher.awaitIdle(5000)).isTrue();
        assertThat(started).containsExactly("m1");
    }

    @Test
    void aQueuedMessageThatLeftTheSnapshotAndCameBackIsNotTakenTwice() throws InterruptedException {
        gate("m1");
        dispatcher.onWork(List.of(pending("m1", "s1", 1), pending("m2", "s1", 2)));
        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 1);
        dispatcher.onWork(List.of());

        dispatcher.onWork(List.of(pending("m2", "s1", 2)));
        gate("m1").countDown();

        assertThat(dispatcher.awaitIdle(5000)).isTrue();
        assertThat(started).containsExactly("m1", "m2");
    }

    /** Calls awaitIdle on another thread, with a timeout only a wake-up can end, and checks that it waits. */
    private CompletableFuture<Boolean> awaitingIdle() {
        CompletableFuture<Boolean> idle = CompletableFuture.supplyAsync(() -> {
            try {
                return dispatcher.awaitIdle(UNTIL_WOKEN_MS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !idle.isDone());
        return idle;
    }
}
