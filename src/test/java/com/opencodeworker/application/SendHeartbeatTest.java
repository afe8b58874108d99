package com.opencodeworker.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.WorkerId;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.testing.LogCapture;
import com.opencodeworker.testing.assistant.ScriptedAssistant;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SendHeartbeatTest {
    private static final WorkerId WORKER = new WorkerId("w1");

    @TempDir
    Path root;
    private final Backend backend = mock(Backend.class);
    private final ScriptedAssistant assistant = new ScriptedAssistant();
    private final SessionProcesses processes = new SessionProcesses(assistant, Instant::now, 4, s -> { });
    private final WorkerLifecycle lifecycle = new WorkerLifecycle();
    private final SendHeartbeat heartbeat = new SendHeartbeat(backend, processes, lifecycle);

    private static BackendException down(String why) {
        return new BackendException.Transient(why, null);
    }

    /** Runs the heartbeat once per element, failing with it or succeeding for null; returns what was logged. */
    private List<String> beatsLogging(BackendException... outcomes) {
        var stubbing = when(backend.heartbeat(0));
        for (BackendException outcome : outcomes) {
            stubbing = outcome == null ? stubbing.thenReturn(1L) : stubbing.thenThrow(outcome);
        }
        try (LogCapture log = LogCapture.of(SendHeartbeat.class)) {
            for (int i = 0; i < outcomes.length; i++) {
                heartbeat.run();
            }
            return log.messages();
        }
    }

    @Test
    void theHeartbeatReportsHowManySessionsHaveARunningProcess() throws InterruptedException {
        processes.acquire(new SessionId("s1"), WORKER, root);
        processes.acquire(new SessionId("s2"), WORKER, root);

        heartbeat.run();

        verify(backend).heartbeat(2);
        assertThat(lifecycle.failure()).isEmpty();
    }

    @Test
    void aSupersededHeartbeatEndsTheWorkerWithTheBackendsMessage() {
        when(backend.heartbeat(0)).thenThrow(new BackendException.Superseded("SUPERSEDED: another worker connected"));

        heartbeat.run();

        assertThat(lifecycle.superseded()).isTrue();
        assertThat(lifecycle.failure()).map(WorkerException::getMessage).hasValue("Stopped: another worker connected");
    }

    @Test
    void anUnauthorizedHeartbeatEndsTheWorkerAsRevoked() {
        when(backend.heartbeat(0)).thenThrow(new BackendException.Unauthorized("UNAUTHORIZED"));

        heartbeat.run();

        assertThat(lifecycle.revoked()).isTrue();
        assertThat(lifecycle.failure()).map(WorkerException::exitCode).hasValue(ExitCode.AUTH_REJECTED);
    }

    @Test
    void aTransientFailureLeavesTheWorkerRunning() {
        beatsLogging(down("timeout"));

        assertThat(lifecycle.failure()).isEmpty();
        assertThat(lifecycle.accepting()).isTrue();
    }

    @Test
    void failingHeartbeatsAreLoggedOnceThenTheRecoveryWithTheirCount() {
        List<String> lines = beatsLogging(down("timeout"), down("refused"), down("refused"), null);

        assertThat(lines).containsExactly(
                "Heartbeat failed: timeout (retrying every interval; leases may expire)",
                "Heartbeats reach Convex again (after 3 failed)");
    }

    @Test
    void theFailureCountStartsAgainAfterARecovery() {
        List<String> lines = beatsLogging(down("timeout"), null, down("refused"), null, null);

        assertThat(lines).containsExactly(
                "Heartbeat failed: timeout (retrying every interval; leases may expire)",
                "Heartbeats reach Convex again (after 1 failed)",
                "Heartbeat failed: refused (retrying every interval; leases may expire)",
                "Heartbeats reach Convex again (after 1 failed)");
    }
}
