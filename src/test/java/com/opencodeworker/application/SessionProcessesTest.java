package com.opencodeworker.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.domain.ProcessMode;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.WorkerId;
import com.opencodeworker.domain.port.AssistantException;
import com.opencodeworker.domain.port.AssistantProcess;
import com.opencodeworker.domain.port.AssistantRuntime;
import com.opencodeworker.testing.assistant.ScriptedAssistant;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SessionProcessesTest {
    private static final WorkerId WORKER = new WorkerId("w1");
    private static final Path DIR = Path.of("project");
    /** A recheck longer than the class timeout: a wait ends only when something wakes it. */
    private static final Duration ONLY_WHEN_WOKEN = Duration.ofHours(1);

    private final ScriptedAssistant assistant = new ScriptedAssistant();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochSecond(1000));
    private final List<SessionId> stoppedIdle = new CopyOnWriteArrayList<>();
    private final Set<SessionId> waitingWork = ConcurrentHashMap.newKeySet();

    private SessionProcesses pool(int max) {
        return pool(max, ProcessMode.PER_SESSION);
    }

    private SessionProcesses pool(int max, ProcessMode mode) {
        return new SessionProcesses(assistant, now::get, max, mode, waitingWork::contains, stoppedIdle::add,
                ONLY_WHEN_WOKEN);
    }

    /** Session {@code name} asks for a process and is seen waiting, the {@code waiters}-th in line. */
    private CompletableFuture<SessionProcesses.Lease> waitsInLine(SessionProcesses pool, String name, int waiters) {
        CompletableFuture<SessionProcesses.Lease> lease = acquireLater(pool, name, DIR);
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.waiting() == waiters);
        return lease;
    }

    /** Session {@code name} gets a process and gives it back while it has more work waiting. */
    private SessionProcesses.Lease releasedWithWorkWaiting(SessionProcesses pool, String name)
            throws InterruptedException {
        SessionProcesses.Lease lease = pool.acquire(session(name), WORKER, DIR);
        waitingWork.add(session(name));
        pool.release(lease);
        return lease;
    }

    private static CompletableFuture<SessionProcesses.Lease> acquireLater(SessionProcesses pool, String session,
                                                                          Path directory) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return pool.acquire(session(session), WORKER, directory);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static SessionId session(String id) {
        return new SessionId(id);
    }

    private void tick(long seconds) {
        now.set(now.get().plusSeconds(seconds));
    }

    @Test
    void aSessionKeepsItsProcessBetweenMessages() throws InterruptedException {
        SessionProcesses pool = pool(2);

        SessionProcesses.Lease first = pool.acquire(session("a"), WORKER, DIR);
        pool.release(first);
        SessionProcesses.Lease second = pool.acquire(session("a"), WORKER, DIR);

        assertThat(first.started()).isTrue();
        assertThat(second.started()).isFalse();
        assertThat(second.process()).isSameAs(first.process());
        assertThat(assistant.started()).hasSize(1);
    }

    @Test
    void atTheLimitTheLeastRecentlyUsedIdleProcessIsStoppedFirst() throws InterruptedException {
        SessionProcesses pool = pool(2);
        pool.release(pool.acquire(session("a"), WORKER, DIR));
        tick(1);
        pool.release(pool.acquire(session("b"), WORKER, DIR));
        tick(1);

        pool.acquire(session("c"), WORKER, DIR);

        assertThat(stoppedIdle).containsExactly(session("a"));
        assertThat(assistant.started().get(0).isAlive()).isFalse();
        assertThat(pool.running()).isEqualTo(2);
    }

    @Test
    void atTheLimitWithEverySessionBusyANewSessionWaitsForASlot() throws Exception {
        SessionProcesses pool = pool(1);
        SessionProcesses.Lease busy = pool.acquire(session("a"), WORKER, DIR);

        assertThat(acquiredOnceReleased(pool, busy, session("b")).session()).isEqualTo(session("b"));
        assertThat(stoppedIdle).containsExactly(session("a"));
    }

    @Test
    void aProcessThatExitedIsReplaced() throws InterruptedException {
        SessionProcesses pool = pool(2);
        SessionProcesses.Lease first = usedThenCrashed(pool);

        SessionProcesses.Lease second = pool.acquire(session("a"), WORKER, DIR);

        assertThat(second.started()).isTrue();
        assertThat(second.process()).isNotSameAs(first.process());
    }

    @Test
    void onlySessionsIdleForTheTimeoutAreStopped() throws InterruptedException {
        SessionProcesses pool = pool(4);
        pool.release(pool.acquire(session("old"), WORKER, DIR));
        tick(100);
        pool.release(pool.acquire(session("recent"), WORKER, DIR));
        pool.acquire(session("busy"), WORKER, DIR);
        tick(250);

        List<SessionId> stopped = pool.stopIdle(Duration.ofSeconds(300));

        assertThat(stopped).containsExactly(session("old"));
        assertThat(pool.running()).isEqualTo(2);
        tick(1000);
        assertThat(pool.stopIdle(Duration.ofSeconds(300))).containsExactly(session("recent"));
    }

    @Test
    void removingAWorkerStopsItsSessions() throws InterruptedException {
        SessionProcesses pool = pool(4);
        SessionProcesses.Lease a = pool.acquire(session("a"), WORKER, DIR);
        SessionProcesses.Lease b = pool.acquire(session("b"), new WorkerId("other"), DIR);

        pool.stopWorker(WORKER);

        assertThat(pool.running()).isEqualTo(1);
        assertThat(a.process().isAlive()).isFalse();
        assertThat(b.process().isAlive()).isTrue();
    }

    @Test
    void closingStopsEveryProcessAndRefusesNewOnes() throws InterruptedException {
        SessionProcesses pool = pool(4);
        pool.acquire(session("a"), WORKER, DIR);
        pool.acquire(session("b"), WORKER, DIR);

        pool.closeAll();

        assertThat(assistant.alive()).isZero();
        assertThatThrownBy(() -> pool.acquire(session("c"), WORKER, DIR)).isInstanceOf(WorkerStoppingException.class);
        assertThat(assistant.startAttempts()).isEqualTo(2);
    }

    @Test
    void aProcessThatFinishesStartingAfterThePoolClosedIsStoppedAndRefused() throws Exception {
        SessionProcesses pool = pool(1);
        assistant.holdStarts();
        CompletableFuture<SessionProcesses.Lease> starting = acquireLater(pool, "a", DIR);
        await().atMost(Duration.ofSeconds(5)).until(() -> assistant.startsWaiting() == 1);

        pool.closeAll();
        assistant.releaseStarts();

        assertThatThrownBy(() -> starting.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(WorkerStoppingException.class);
        assertThat(assistant.started()).hasSize(1);
        assertThat(assistant.alive()).isZero();
        assertThat(pool.processes()).isZero();
    }

    @Test
    void aProcessWhoseSessionHasWorkWaitingIsNotStoppedToMakeRoom() throws Exception {
        SessionProcesses pool = pool(1);
        SessionProcesses.Lease first = releasedWithWorkWaiting(pool, "a");
        CompletableFuture<SessionProcesses.Lease> other = waitsInLine(pool, "b", 1);
        SessionProcesses.Lease next = pool.acquire(session("a"), WORKER, DIR);

        assertThat(next.process()).isSameAs(first.process());
        assertThat(next.started()).isFalse();
        assertThat(other).isNotDone();
        assertThat(stoppedIdle).isEmpty();
        waitingWork.remove(session("a"));
        pool.release(next);
        assertThat(other.get(5, TimeUnit.SECONDS).started()).isTrue();
        assertThat(stoppedIdle).containsExactly(session("a"));
        assertThat(assistant.started()).hasSize(2);
    }

    @Test
    void aFreedSlotGoesToTheSessionWaitingLongest() throws Exception {
        SessionProcesses pool = pool(1);
        SessionProcesses.Lease busy = pool.acquire(session("a"), WORKER, DIR);
        CompletableFuture<SessionProcesses.Lease> second = waitsInLine(pool, "b", 1);
        CompletableFuture<SessionProcesses.Lease> third = waitsInLine(pool, "c", 2);

        pool.release(busy);

        SessionProcesses.Lease b = second.get(5, TimeUnit.SECONDS);
        assertThat(b.session()).isEqualTo(session("b"));
        assertThat(third).isNotDone();
        assertThat(pool.waiting()).isEqualTo(1);
        pool.release(b);
        assertThat(third.get(5, TimeUnit.SECONDS).session()).isEqualTo(session("c"));
        assertThat(stoppedIdle).containsExactly(session("a"), session("b"));
    }

    @Test
    void aProcessBeingStartedTakesItsSlot() throws Exception {
        SessionProcesses pool = pool(1);
        assistant.holdStarts();
        CompletableFuture<SessionProcesses.Lease> first = acquireLater(pool, "a", DIR);
        await().atMost(Duration.ofSeconds(5)).until(() -> assistant.startsWaiting() == 1);

        CompletableFuture<SessionProcesses.Lease> second = waitsInLine(pool, "b", 1);
        assertThat(assistant.startsWaiting()).isEqualTo(1);
        assistant.releaseStarts();

        SessionProcesses.Lease a = first.get(5, TimeUnit.SECONDS);
        assertStillWaiting(second);
        pool.release(a);
        assertThat(second.get(5, TimeUnit.SECONDS).started()).isTrue();
        assertThat(stoppedIdle).containsExactly(session("a"));
    }

    @Test
    void aFailedStartFreesItsSlotForTheSessionWaitingLongest() throws Exception {
        SessionProcesses pool = pool(1);
        assistant.failNextStarts(1, new AssistantException("no opencode"));
        assistant.holdStarts();
        CompletableFuture<SessionProcesses.Lease> failing = acquireLater(pool, "a", DIR);
        await().atMost(Duration.ofSeconds(5)).until(() -> assistant.startsWaiting() == 1);
        CompletableFuture<SessionProcesses.Lease> next = waitsInLine(pool, "b", 1);

        assistant.releaseStarts();

        assertThatThrownBy(() -> failing.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(AssistantException.class);
        assertThat(next.get(5, TimeUnit.SECONDS).started()).isTrue();
    }

    @Test
    void aWaitingSessionGetsTheSlotOfAProcessThatExited() throws Exception {
        SessionProcesses pool = pool(1);
        SessionProcesses.Lease crashed = releasedWithWorkWaiting(pool, "a");
        CompletableFuture<SessionProcesses.Lease> waiting = waitsInLine(pool, "b", 1);
        ((ScriptedAssistant.Process) crashed.process()).crash();

        CompletableFuture<SessionProcesses.Lease> again = acquireLater(pool, "a", DIR);

        assertThat(waiting.get(5, TimeUnit.SECONDS).started()).isTrue();
        assertStillWaiting(again);
        assertThat(stoppedIdle).isEmpty();
    }

    @Test
    void aProcessStoppedForIdlenessFreesItsSlotForAWaitingSession() throws Exception {
        SessionProcesses pool = pool(1);
        SessionProcesses.Lease idle = releasedWithWorkWaiting(pool, "a");
        CompletableFuture<SessionProcesses.Lease> waiting = waitsInLine(pool, "b", 1);
        waitingWork.clear();
        tick(1000);

        pool.stopIdle(Duration.ofSeconds(300));

        assertThat(waiting.get(5, TimeUnit.SECONDS).started()).isTrue();
        assertThat(idle.process().isAlive()).isFalse();
    }

    @Test
    void removingAWorkerFreesItsSlotsForWaitingSessions() throws Exception {
        SessionProcesses pool = pool(1);
        pool.acquire(session("a"), WORKER, DIR);
        CompletableFuture<SessionProcesses.Lease> waiting = waitsInLine(pool, "b", 1);

        pool.stopWorker(WORKER);

        assertThat(waiting.get(5, TimeUnit.SECONDS).started()).isTrue();
    }

    @Test
    void aSessionWithARunningProcessDoesNotWaitBehindSessionsThatNeedOne() throws Exception {
        SessionProcesses pool = pool(2);
        pool.release(pool.acquire(session("a"), WORKER, DIR));
        SessionProcesses.Lease busy = pool.acquire(session("b"), WORKER, DIR);
        waitingWork.add(session("a"));
        CompletableFuture<SessionProcesses.Lease> waiting = waitsInLine(pool, "c", 1);

        SessionProcesses.Lease warm = pool.acquire(session("a"), WORKER, DIR);

        assertThat(warm.started()).isFalse();
        assertThat(waiting).isNotDone();
        pool.release(busy);
        assertThat(waiting.get(5, TimeUnit.SECONDS).started()).isTrue();
        assertThat(stoppedIdle).containsExactly(session("b"));
    }

    @Test
    void perDirectoryTheSessionsOfADirectoryShareOneProcessAtTheSameTime() throws Exception {
        SessionProcesses pool = pool(1, ProcessMode.PER_DIRECTORY);

        SessionProcesses.Lease a = pool.acquire(session("a"), WORKER, DIR);
        SessionProcesses.Lease b = pool.acquire(session("b"), WORKER, DIR);

        assertThat(b.process()).isSameAs(a.process());
        assertThat(a.started()).isTrue();
        assertThat(b.started()).isFalse();
        assertThat(assistant.started()).hasSize(1);
        assertThat(pool.running()).isEqualTo(2);
        assertThat(pool.processes()).isEqualTo(1);
        pool.markOpened(a);
        assertThat(pool.isOpened(a)).isTrue();
        assertThat(pool.isOpened(b)).isFalse();
    }

    @Test
    void perDirectorySessionsOfTwoDirectoriesGetTwoProcessesAndAStartIsShared() throws Exception {
        SessionProcesses pool = pool(2, ProcessMode.PER_DIRECTORY);
        assistant.holdStarts();
        CompletableFuture<SessionProcesses.Lease> a = acquireLater(pool, "a", DIR);
        CompletableFuture<SessionProcesses.Lease> b = acquireLater(pool, "b", DIR);
        CompletableFuture<SessionProcesses.Lease> c = acquireLater(pool, "c", Path.of("other"));
        await().atMost(Duration.ofSeconds(5)).until(() -> assistant.startsWaiting() == 2);
        assistant.releaseStarts();

        assertThat(a.get(5, TimeUnit.SECONDS).process()).isSameAs(b.get(5, TimeUnit.SECONDS).process());
        assertThat(c.get(5, TimeUnit.SECONDS).process()).isNotSameAs(a.get().process());
        assertThat(assistant.started()).hasSize(2);
    }

    @Test
    void perDirectoryAProcessIsIdleOnlyWhenAllItsSessionsAre() throws Exception {
        SessionProcesses pool = pool(2, ProcessMode.PER_DIRECTORY);
        SessionProcesses.Lease a = pool.acquire(session("a"), WORKER, DIR);
        SessionProcesses.Lease b = pool.acquire(session("b"), WORKER, DIR);
        pool.release(a);
        tick(1000);

        assertThat(pool.stopIdle(Duration.ofSeconds(300))).isEmpty();
        pool.release(b);
        waitingWork.add(session("a"));
        tick(1000);
        assertThat(pool.stopIdle(Duration.ofSeconds(300))).isEmpty();
        waitingWork.clear();
        assertThat(pool.stopIdle(Duration.ofSeconds(300))).containsExactlyInAnyOrder(session("a"), session("b"));
        assertThat(assistant.alive()).isZero();
    }

    @Test
    void perDirectoryACrashedProcessIsReplacedForTheNextMessage() throws Exception {
        SessionProcesses pool = pool(2, ProcessMode.PER_DIRECTORY);
        SessionProcesses.Lease a = pool.acquire(session("a"), WORKER, DIR);
        ((ScriptedAssistant.Process) a.process()).crash();
        pool.release(a);

        SessionProcesses.Lease b = pool.acquire(session("b"), WORKER, DIR);

        assertThat(b.started()).isTrue();
        assertThat(b.process()).isNotSameAs(a.process());
    }

    @Test
    void aSessionWhoseDirectoryChangedGetsANewProcessThere() throws InterruptedException {
        SessionProcesses pool = pool(2);
        SessionProcesses.Lease first = pool.acquire(session("a"), WORKER, DIR);
        pool.release(first);

        SessionProcesses.Lease moved = pool.acquire(session("a"), WORKER, Path.of("elsewhere"));

        assertThat(moved.started()).isTrue();
        assertThat(first.process().isAlive()).isFalse();
        assertThat(((ScriptedAssistant.Process) moved.process()).directory()).isEqualTo(Path.of("elsewhere"));
        assertThat(pool.running()).isEqualTo(1);
        assertThat(stoppedIdle).isEmpty();
    }

    @Test
    void aSecondMessageOfABusySessionWaitsForTheSameProcess() throws Exception {
        SessionProcesses pool = pool(2);
        SessionProcesses.Lease busy = pool.acquire(session("a"), WORKER, DIR);

        SessionProcesses.Lease second = acquiredOnceReleased(pool, busy, session("a"));
        assertThat(second.process()).isSameAs(busy.process());
        assertThat(second.started()).isFalse();
        assertThat(assistant.started()).hasSize(1);
    }

    @Test
    void aProcessThatFailsToStartFreesItsSlot() throws InterruptedException {
        SessionProcesses pool = pool(1);
        assistant.failStartsWith(new AssistantException("no opencode"));

        assertThatThrownBy(() -> pool.acquire(session("a"), WORKER, DIR)).isInstanceOf(AssistantException.class);
        assistant.failStartsWith(null);

        assertThat(pool.acquire(session("b"), WORKER, DIR).started()).isTrue();
        assertThat(pool.running()).isEqualTo(1);
    }

    @Test
    void idleTimeCountsFromTheRelease() throws InterruptedException {
        SessionProcesses pool = pool(2);
        SessionProcesses.Lease lease = pool.acquire(session("a"), WORKER, DIR);
        tick(400);
        pool.release(lease);
        tick(299);

        assertThat(pool.stopIdle(Duration.ofSeconds(300))).isEmpty();
        tick(1);
        assertThat(pool.stopIdle(Duration.ofSeconds(300))).containsExactly(session("a"));
        assertThat(lease.process().isAlive()).isFalse();
    }

    @Test
    void theReleaseOfAReplacedProcessLeavesItsSuccessorBusy() throws Exception {
        SessionProcesses pool = pool(2);
        SessionProcesses.Lease old = usedThenCrashed(pool);
        SessionProcesses.Lease current = pool.acquire(session("a"), WORKER, DIR);

        pool.release(old);
        tick(1000);

        assertThat(pool.stopIdle(Duration.ofSeconds(1))).isEmpty();
        assertThat(acquiredOnceReleased(pool, current, session("a")).process()).isSameAs(current.process());
    }

    @Test
    void aProcessIsOpenedOnlyOnceMarkedSoAndOnlyUntilReplaced() throws InterruptedException {
        SessionProcesses pool = pool(2);
        SessionProcesses.Lease first = pool.acquire(session("a"), WORKER, DIR);
        assertThat(pool.isOpened(first)).isFalse();

        pool.markOpened(first);
        assertThat(pool.isOpened(first)).isTrue();
        pool.release(first);
        ((ScriptedAssistant.Process) first.process()).crash();
        SessionProcesses.Lease second = pool.acquire(session("a"), WORKER, DIR);

        assertThat(pool.isOpened(second)).isFalse();
        pool.markOpened(first);
        assertThat(pool.isOpened(second)).isFalse();
        assertThat(pool.isOpened(first)).isFalse();
    }

    @Test
    void closingReturnsTheSessionsWhoseProcessItStopped() throws InterruptedException {
        SessionProcesses pool = pool(4);
        pool.release(pool.acquire(session("a"), WORKER, DIR));
        pool.acquire(session("b"), WORKER, DIR);

        assertThat(pool.closeAll()).containsExactlyInAnyOrder(session("a"), session("b"));
        assertThat(pool.running()).isZero();
    }

    @Test
    void aWaitingSessionIsRefusedWhenThePoolCloses() throws Exception {
        SessionProcesses pool = pool(1);
        pool.acquire(session("a"), WORKER, DIR);
        CompletableFuture<SessionProcesses.Lease> waiting = acquireAsync(pool, session("b"));
        assertStillWaiting(waiting);

        pool.closeAll();

        assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(WorkerStoppingException.class);
    }

    @Test
    void perSessionAProcessIsNamedAfterItsSession() throws InterruptedException {
        assertThat(labelsOfTheFirstStart(ProcessMode.PER_SESSION)).containsExactly("a");
    }

    @Test
    void perDirectoryAProcessIsNamedAfterItsDirectory() throws InterruptedException {
        assertThat(labelsOfTheFirstStart(ProcessMode.PER_DIRECTORY)).containsExactly("project");
    }

    /** The labels the runtime was given when session "a" of directory "work/project" got its process. */
    private List<String> labelsOfTheFirstStart(ProcessMode mode) throws InterruptedException {
        List<String> labels = new CopyOnWriteArrayList<>();
        SessionProcesses pool = new SessionProcesses(labelling(labels), now::get, 2, mode, waitingWork::contains,
                stoppedIdle::add);

        pool.acquire(session("a"), WORKER, Path.of("work", "project"));

        return labels;
    }

    @Test
    void withoutAWaitingWorkPredicateAnIdleProcessIsStoppedToMakeRoom() throws InterruptedException {
        SessionProcesses pool = new SessionProcesses(assistant, now::get, 1, stoppedIdle::add);
        SessionProcesses.Lease first = pool.acquire(session("a"), WORKER, DIR);
        pool.release(first);

        SessionProcesses.Lease next = pool.acquire(session("b"), WORKER, DIR);

        assertThat(next.started()).isTrue();
        assertThat(first.process().isAlive()).isFalse();
        assertThat(stoppedIdle).containsExactly(session("a"));
    }

    /** The scripted assistant, noting the label of each process it is asked to start. */
    private AssistantRuntime labelling(List<String> labels) {
        return new AssistantRuntime() {
            @Override
            public void verifyAvailable() {
                assistant.verifyAvailable();
            }

            @Override
            public AssistantProcess start(Path directory, String label) {
                labels.add(label);
                return assistant.start(directory, label);
            }
        };
    }

    /** Session "a" got a process, released it, and the process then died. */
    private static SessionProcesses.Lease usedThenCrashed(SessionProcesses pool) throws InterruptedException {
        SessionProcesses.Lease lease = pool.acquire(session("a"), WORKER, DIR);
        pool.release(lease);
        ((ScriptedAssistant.Process) lease.process()).crash();
        return lease;
    }

    /** Acquires for {@code session} on another thread, checks it waits while {@code busy} is held, then releases it. */
    private static SessionProcesses.Lease acquiredOnceReleased(SessionProcesses pool, SessionProcesses.Lease busy,
                                                              SessionId session) throws Exception {
        CompletableFuture<SessionProcesses.Lease> waiting = acquireAsync(pool, session);
        assertStillWaiting(waiting);
        pool.release(busy);
        return waiting.get(5, TimeUnit.SECONDS);
    }

    private static void assertStillWaiting(CompletableFuture<SessionProcesses.Lease> acquiring) {
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !acquiring.isDone());
    }

    private static CompletableFuture<SessionProcesses.Lease> acquireAsync(SessionProcesses pool, SessionId session) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return pool.acquire(session, WORKER, DIR);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
