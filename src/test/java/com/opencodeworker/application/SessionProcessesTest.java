package com.opencodeworker.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.WorkerId;
import com.opencodeworker.testing.assistant.ScriptedAssistant;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

    private final ScriptedAssistant assistant = new ScriptedAssistant();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochSecond(1000));
    private final List<SessionId> stoppedIdle = new CopyOnWriteArrayList<>();

    private SessionProcesses pool(int max) {
        return new SessionProcesses(assistant, now::get, max, stoppedIdle::add);
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

        CompletableFuture<SessionProcesses.Lease> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return pool.acquire(session("b"), WORKER, DIR);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());
        pool.release(busy);

        assertThat(waiting.get(5, TimeUnit.SECONDS).session()).isEqualTo(session("b"));
        assertThat(stoppedIdle).containsExactly(session("a"));
    }

    @Test
    void aProcessThatExitedIsReplaced() throws InterruptedException {
        SessionProcesses pool = pool(2);
        SessionProcesses.Lease first = pool.acquire(session("a"), WORKER, DIR);
        pool.release(first);
        ((ScriptedAssistant.Process) first.process()).crash();

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
        pool.acquire(session("a"), WORKER, DIR);
        pool.acquire(session("b"), new WorkerId("other"), DIR);

        pool.stopWorker(WORKER);

        assertThat(pool.running()).isEqualTo(1);
        assertThat(assistant.alive()).isEqualTo(1);
    }

    @Test
    void closingStopsEveryProcessAndRefusesNewOnes() throws InterruptedException {
        SessionProcesses pool = pool(4);
        pool.acquire(session("a"), WORKER, DIR);
        pool.acquire(session("b"), WORKER, DIR);

        pool.closeAll();

        assertThat(assistant.alive()).isZero();
        assertThatThrownBy(() -> pool.acquire(session("c"), WORKER, DIR)).isInstanceOf(WorkerStoppingException.class);
    }
}
