package com.opencodeworker.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import com.opencodeworker.domain.Machine;
import com.opencodeworker.domain.MachineId;
import com.opencodeworker.domain.Session;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.SessionStatus;
import com.opencodeworker.domain.Worker;
import com.opencodeworker.domain.WorkerId;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.infrastructure.filesystem.DirectoriesUnderRoot;
import com.opencodeworker.testing.LogCapture;
import com.opencodeworker.testing.assistant.ScriptedAssistant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RecoverStateTest {
    private static final WorkerId GOOD = new WorkerId("good");
    private static final WorkerId BAD = new WorkerId("bad");

    @TempDir
    Path root;
    private final Backend backend = mock(Backend.class);
    private final WorkerLifecycle lifecycle = new WorkerLifecycle();
    private RecoverState recover;
    private Path realRoot;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectory(root.resolve("project"));
        realRoot = root.toRealPath();
        SessionProcesses processes = new SessionProcesses(new ScriptedAssistant(), Instant::now, 4, s -> { });
        recover = new RecoverState(new ReconcileWorkers(backend, processes, new DirectoriesUnderRoot(realRoot)),
                new ReapIdleSessions(backend, processes, Duration.ofMinutes(5), lifecycle), realRoot);
    }

    private ConnectMachine.Connected connected(List<Worker> workers, List<Session> sessions) {
        return new ConnectMachine.Connected(new Machine(new MachineId("mch_laptop"), "Laptop", realRoot, 30_000, 90_000),
                new Backend.MachineState(workers, sessions));
    }

    private static Session session(String id, SessionStatus status) {
        return new Session(new SessionId(id), GOOD, status, Optional.empty(), Instant.EPOCH);
    }

    @Test
    void everyWorkerIsReportedReadyOrInError() {
        recover.recover(connected(List.of(new Worker(GOOD, "Good", "project", 1), new Worker(BAD, "Bad", "missing", 1)),
                List.of()));

        verify(backend).setWorkerStatus(GOOD, Optional.empty());
        verify(backend).setWorkerStatus(eq(BAD),
                argThat(e -> e.orElse("").startsWith("Directory not found")));
    }

    @Test
    void onlySessionsLeftActiveAreMarkedIdle() {
        recover.recover(connected(List.of(), List.of(session("active", SessionStatus.ACTIVE),
                session("idle", SessionStatus.IDLE), session("closed", SessionStatus.CLOSED))));

        verify(backend).updateSession(new SessionId("active"), Optional.of(SessionStatus.IDLE), Optional.empty());
        verify(backend, never()).updateSession(eq(new SessionId("idle")),
                any(), any());
        verify(backend, never()).updateSession(eq(new SessionId("closed")),
                any(), any());
    }

    @Test
    void theRecoveryIsLoggedWithWhatWasFoundAndMarkedIdle() {
        List<String> lines;
        try (LogCapture log = LogCapture.of(RecoverState.class)) {
            recover.recover(connected(List.of(new Worker(GOOD, "Good", "project", 1)),
                    List.of(session("a", SessionStatus.ACTIVE), session("b", SessionStatus.IDLE))));
            lines = log.messages();
        }

        assertThat(lines).containsExactly("Connected as machine \"Laptop\" (mch_laptop); root " + realRoot
                + "; 1 worker and 2 sessions recovered (1 marked idle)");
    }

    @Test
    void countsOtherThanOneArePlural() {
        List<String> lines;
        try (LogCapture log = LogCapture.of(RecoverState.class)) {
            recover.recover(connected(List.of(), List.of(session("a", SessionStatus.IDLE))));
            lines = log.messages();
        }

        assertThat(lines).singleElement().asString().endsWith("; 0 workers and 1 session recovered (0 marked idle)");
    }
}
