package com.opencodeworker.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.Worker;
import com.opencodeworker.domain.WorkerId;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.infrastructure.filesystem.DirectoriesUnderRoot;
import com.opencodeworker.testing.assistant.ScriptedAssistant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReconcileWorkersTest {
    private static final WorkerId GOOD = new WorkerId("good");
    private static final WorkerId BAD = new WorkerId("bad");

    @TempDir
    Path root;
    private final Backend backend = mock(Backend.class);
    private final ScriptedAssistant assistant = new ScriptedAssistant();
    private SessionProcesses processes;
    private ReconcileWorkers reconcile;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectory(root.resolve("project"));
        processes = new SessionProcesses(assistant, Instant::now, 4, s -> { });
        reconcile = new ReconcileWorkers(backend, processes, new DirectoriesUnderRoot(root.toRealPath()));
    }

    private static Backend.MachineState state(Worker... workers) {
        return new Backend.MachineState(List.of(workers), List.of());
    }

    @Test
    void eachWorkerIsReportedReadyOrInErrorOncePerChange() {
        Worker good = new Worker(GOOD, "Good", "project", 1);
        Worker bad = new Worker(BAD, "Bad", "missing", 1);

        reconcile.onState(state(good, bad));
        reconcile.onState(state(good, bad));

        verify(backend, times(1)).setWorkerStatus(GOOD, Optional.empty());
        verify(backend, times(1)).setWorkerStatus(eq(BAD), argThat(e -> e.orElse("").startsWith("Directory not found")));
    }

    @Test
    void aWorkerWhoseDirectoryChangedIsReportedAgain() {
        reconcile.onState(state(new Worker(BAD, "Bad", "missing", 1)));

        reconcile.onState(state(new Worker(BAD, "Bad", "project", 1)));

        verify(backend).setWorkerStatus(BAD, Optional.empty());
    }

    @Test
    void aFailedReportIsRetriedWithTheNextSnapshot() {
        Worker good = new Worker(GOOD, "Good", "project", 1);
        doThrow(new BackendException.Transient("down", null)).doNothing().when(backend)
                .setWorkerStatus(GOOD, Optional.empty());

        reconcile.onState(state(good));
        reconcile.onState(state(good));

        verify(backend, times(2)).setWorkerStatus(GOOD, Optional.empty());
    }

    @Test
    void aRemovedWorkerHasItsSessionsStopped() throws InterruptedException {
        reconcile.onState(state(new Worker(GOOD, "Good", "project", 1)));
        processes.acquire(new SessionId("s1"), GOOD, root.resolve("project"));

        reconcile.onState(state());

        assertThat(processes.running()).isZero();
        assertThat(assistant.alive()).isZero();
    }
}
