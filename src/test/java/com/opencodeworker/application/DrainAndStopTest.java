package com.opencodeworker.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import com.opencodeworker.application.ActiveMessage.StopReason;
import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.InstanceId;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.SessionStatus;
import com.opencodeworker.domain.WorkItem;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.WorkerId;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.testing.LogCapture;
import com.opencodeworker.testing.assistant.ScriptedAssistant;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DrainAndStopTest {
    private static final SessionId S1 = new SessionId("s1");
    private static final WorkerId WORKER = new WorkerId("w1");
    /** Longer than the class timeout: only a forced stop ends a drain given it before the test times out. */
    private static final Duration LONG_GRACE = Duration.ofMinutes(1);

    @TempDir
    Path root;
    private final Backend backend = mock(Backend.class);
    private final ScriptedAssistant assistant = new ScriptedAssistant();
    private final WorkerLifecycle lifecycle = new WorkerLifecycle();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final SessionProcesses processes = new SessionProcesses(assistant, Instant::now, 4, s -> { });
    private final ReapIdleSessions reaper = new ReapIdleSessions(backend, processes, Duration.ofMinutes(5), lifecycle);

    /** The running reply: it ends when {@link #finish} opens, or when it is stopped (its reason is kept). */
    private final CountDownLatch replyStarted = new CountDownLatch(1);
    private final CountDownLatch finish = new CountDownLatch(1);
    private final AtomicReference<StopReason> stoppedFor = new AtomicReference<>();
    private final CountDownLatch replyEnded = new CountDownLatch(1);

    private final WorkDispatcher dispatcher = new WorkDispatcher(InstanceId.random(), Instant::now, (item, active) -> {
        replyStarted.countDown();
        try {
            while (!finish.await(10, TimeUnit.MILLISECONDS)) {
                if (active.stopReason().isPresent()) {
                    stoppedFor.set(active.stopReason().get());
                    return Outcome.DONE;
                }
            }
            return Outcome.DONE;
        } finally {
            replyEnded.countDown();
        }
    }, executor, lifecycle);

    @AfterEach
    void tearDown() {
        finish.countDown();
        executor.shutdownNow();
    }

    private DrainAndStop drainAndStop(Duration grace) {
        return new DrainAndStop(backend, dispatcher, processes, reaper, lifecycle, grace);
    }

    /** Starts one reply of session s1 and waits until it runs. */
    private void replyRunning() throws InterruptedException {
        dispatcher.onWork(List.of(new WorkItem(new MessageId("m1"), S1, WORKER, "dir", Optional.empty(), "hi",
                Optional.empty(), 1, WorkItem.Status.PENDING, Optional.empty(), Optional.empty(), 0, false)));
        assertThat(replyStarted.await(5, TimeUnit.SECONDS)).isTrue();
    }

    private CompletableFuture<ExitCode> stopping(DrainAndStop stop) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return stop.stop();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, executor);
    }

    @Test
    void anIdleWorkerStopsItsProcessesMarksTheirSessionsIdleAndSaysGoodbye() throws InterruptedException {
        processes.acquire(S1, WORKER, root);

        ExitCode exit;
        List<String> lines;
        try (LogCapture log = LogCapture.of(DrainAndStop.class)) {
            exit = drainAndStop(LONG_GRACE).stop();
            lines = log.messages();
        }

        assertThat(exit).isEqualTo(ExitCode.OK);
        assertThat(assistant.alive()).isZero();
        verify(backend).updateSession(S1, Optional.of(SessionStatus.IDLE), Optional.empty());
        verify(backend).disconnect();
        assertThat(lines).containsExactly("Stopped");
    }

    @Test
    void aStopWaitsForTheRunningReplyToFinishThenSaysGoodbye() throws Exception {
        replyRunning();
        CompletableFuture<ExitCode> stop = stopping(drainAndStop(LONG_GRACE));
        assertThatThrownBy(() -> stop.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        verify(backend, never()).disconnect();

        finish.countDown();

        assertThat(stop.get(5, TimeUnit.SECONDS)).isEqualTo(ExitCode.OK);
        assertThat(stoppedFor.get()).isNull();
        assertThat(lifecycle.forced()).isFalse();
        verify(backend).disconnect();
    }

    @Test
    void aDrainSaysHowLongItWaitsForHowManyReplies() throws Exception {
        replyRunning();
        List<String> lines;
        try (LogCapture log = LogCapture.of(DrainAndStop.class)) {
            CompletableFuture<ExitCode> stop = stopping(drainAndStop(LONG_GRACE));
            await().atMost(Duration.ofSeconds(5)).until(() -> !log.messages().isEmpty());
            finish.countDown();
            stop.get(5, TimeUnit.SECONDS);
            lines = log.messages();
        }

        assertThat(lines).containsExactly("Waiting up to 60 s for 1 running reply to finish", "Stopped");
    }

    @Test
    void aForcedStopAbortsTheRunningReplyAtOnce() throws InterruptedException {
        replyRunning();
        lifecycle.requestStop();
        lifecycle.requestStop();

        List<String> lines;
        try (LogCapture log = LogCapture.of(DrainAndStop.class)) {
            assertThat(drainAndStop(LONG_GRACE).stop()).isEqualTo(ExitCode.OK);
            lines = log.messages();
        }

        assertThat(stoppedFor).hasValue(StopReason.SHUTDOWN);
        assertThat(lines).containsExactly("Aborting 1 running reply; each is completed with what it has", "Stopped");
        verify(backend).disconnect();
    }

    @Test
    void theGraceRunningOutForcesTheStopAndAbortsTheReply() throws InterruptedException {
        replyRunning();
        lifecycle.requestStop();

        ExitCode exit = drainAndStop(Duration.ZERO).stop();

        assertThat(exit).isEqualTo(ExitCode.OK);
        assertThat(stoppedFor).hasValue(StopReason.SHUTDOWN);
        assertThat(lifecycle.forced()).isTrue();
    }

    @Test
    void aSupersededWorkerAbortsAtOnceLeavesTheBackendAloneAndExitsWith4() throws InterruptedException {
        replyRunning();
        processes.acquire(new SessionId("s2"), WORKER, root);
        lifecycle.supersede();

        assertThatThrownBy(() -> drainAndStop(LONG_GRACE).stop()).isInstanceOfSatisfying(WorkerException.class,
                e -> assertThat(e.exitCode()).isEqualTo(ExitCode.SUPERSEDED));

        assertThat(replyEnded.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(stoppedFor).hasValue(StopReason.SUPERSEDED);
        assertThat(assistant.alive()).isZero();
        verify(backend, never()).disconnect();
        verify(backend, never()).updateSession(any(), any(), any());
    }

    @Test
    void aWorkerWhoseTokenWasRevokedAbortsAtOnceAndExitsWith3() throws InterruptedException {
        replyRunning();
        lifecycle.revoke();

        assertThatThrownBy(() -> drainAndStop(LONG_GRACE).stop()).isInstanceOfSatisfying(WorkerException.class,
                e -> assertThat(e.exitCode()).isEqualTo(ExitCode.AUTH_REJECTED));

        assertThat(replyEnded.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(stoppedFor).hasValue(StopReason.REVOKED);
        verify(backend, never()).disconnect();
    }

    @Test
    void aWorkerEndedByAnotherFailureSaysGoodbyeThenThrowsIt() throws InterruptedException {
        processes.acquire(S1, WORKER, root);
        WorkerException failure = new WorkerException(ExitCode.FAILURE, "boom");
        lifecycle.fail(failure);

        assertThatThrownBy(() -> drainAndStop(LONG_GRACE).stop()).isSameAs(failure);

        assertThat(assistant.alive()).isZero();
        verify(backend).updateSession(S1, Optional.of(SessionStatus.IDLE), Optional.empty());
        verify(backend).disconnect();
    }

    @Test
    void aFailedGoodbyeStillStopsNormally() throws InterruptedException {
        doThrow(new BackendException.Transient("down", null)).when(backend).disconnect();

        List<String> lines;
        try (LogCapture log = LogCapture.of(DrainAndStop.class)) {
            assertThat(drainAndStop(LONG_GRACE).stop()).isEqualTo(ExitCode.OK);
            lines = log.messages();
        }

        assertThat(lines).containsExactly(
                "Could not say goodbye to Convex: down (the machine shows offline after missed heartbeats)", "Stopped");
    }
}
