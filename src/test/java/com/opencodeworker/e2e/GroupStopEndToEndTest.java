package com.opencodeworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.testing.model.FakeModelServer;
import com.opencodeworker.testing.worker.Deployment;
import com.opencodeworker.testing.worker.ProcessProbe;
import com.opencodeworker.testing.worker.WorkerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stops as a terminal and a service manager send them: to the worker's whole process group
 * (Ctrl-C is SIGINT to the foreground group; {@code systemctl stop} signals every process of the
 * unit). They must behave as a SIGTERM to the worker alone: OpenCode is stopped by the worker only,
 * after the replies in flight have finished, or at once with what they have after a second signal.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GroupStopEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path base;
    private Deployment deployment;

    @BeforeEach
    void setUp() {
        deployment = new Deployment(base);
    }

    @AfterEach
    void tearDown() {
        deployment.closeLeavingNoOpenCode();
    }

    @Test
    void ctrlCToTheProcessGroupLetsTheReplyInFlightFinishThenExitsZero() throws InterruptedException {
        deployment.model().setSlowDelay(Duration.ofMillis(100));
        String session = deployment.createSession(deployment.createWorker("project"));
        WorkerProcess worker = deployment.startProcess("--shutdown-grace", "60000");
        String id = deployment.send(session, FakeModelServer.SLOW + " finish me");
        await().atMost(WAIT).until(() -> deployment.streamedText(id).length() > 0);

        worker.signalGroup("INT");

        assertThat(worker.awaitExit(WAIT)).as(worker.stderr()).isZero();
        Deployment.MessageView view = deployment.message(id);
        assertThat(view.terminalOutcomes()).containsExactly("completed");
        assertThat(FakeModelServer.ticks(view.content())).as("the whole reply").isEqualTo(FakeModelServer.SLOW_CHUNKS);
        assertThat(view.content()).isEqualTo(deployment.streamedText(id));
        assertThat(worker.stderr()).doesNotContain("exited unexpectedly");
        assertThat(deployment.successfulCalls("machines:disconnect")).isNotEmpty();
        assertThat(ProcessProbe.openCodeUnder(deployment.root())).isEmpty();
    }

    @Test
    void aSecondSignalToTheGroupCompletesTheReplyWithWhatItHas() throws InterruptedException {
        deployment.model().setSlowDelay(Duration.ofMillis(500));
        String session = deployment.createSession(deployment.createWorker("project"));
        WorkerProcess worker = deployment.startProcess("--shutdown-grace", "60000");
        String id = deployment.send(session, FakeModelServer.SLOW + " cut me short");
        await().atMost(WAIT).until(() -> deployment.streamedText(id).length() > 0);

        worker.signalGroup("TERM");
        // Two signals sent at once could arrive as one: the second goes after the first was seen.
        await().atMost(WAIT).until(() -> worker.stderr().contains("Waiting up to 60 s for 1 running reply"));
        worker.signalGroup("TERM");

        assertThat(worker.awaitExit(WAIT)).as(worker.stderr()).isZero();
        Deployment.MessageView view = deployment.message(id);
        assertThat(view.terminalOutcomes()).containsExactly("completed");
        assertThat(view.content()).isNotEmpty().isEqualTo(deployment.streamedText(id));
        assertThat(FakeModelServer.ticks(view.content())).isLessThan(FakeModelServer.SLOW_CHUNKS);
        assertThat(worker.stderr()).doesNotContain("exited unexpectedly");
        assertThat(ProcessProbe.openCodeUnder(deployment.root())).isEmpty();
    }
}
