package com.opencodeworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.testing.model.FakeModelServer;
import com.opencodeworker.testing.deployment.TestDeployment;
import com.opencodeworker.testing.worker.Deployment;
import com.opencodeworker.testing.worker.ProcessProbe;
import com.opencodeworker.testing.worker.WorkerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A machine token rotated in the web app while the worker runs: the worker stops with exit 3 and says why. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RevokedTokenEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path base;

    @Test
    void aTokenRotatedWhileAReplyRunsStopsTheWorkerWithCode3AndOneLine() throws InterruptedException {
        try (Deployment deployment = new Deployment(base,
                new TestDeployment.Options(Duration.ofSeconds(1), Duration.ofSeconds(90)))) {
            deployment.model().setSlowDelay(Duration.ofMillis(250));
            String session = deployment.createSession(deployment.createWorker("project"));
            WorkerProcess worker = deployment.startProcess();
            String id = deployment.send(session, FakeModelServer.SLOW + " revoked midway");
            await().atMost(WAIT).until(() -> deployment.streamedText(id).length() > 0);

            deployment.webApp("mutation", "machines:rotateToken", Map.of("machineId", deployment.machineId()));

            assertThat(worker.awaitExit(WAIT)).as(worker.stderr()).isEqualTo(ExitCode.AUTH_REJECTED.code());
            String stderr = worker.stderr();
            assertThat(stderr.lines().filter(l -> l.contains("no longer accepts the machine token")))
                    .as(stderr).hasSize(1)
                    .allSatisfy(line -> assertThat(line).contains("start the worker once with the new token"
                            .replace("start", "Start")));
            assertThat(stderr).doesNotContain("\tat ").doesNotContain("Exception");
            assertThat(stderr.lines().filter(l -> l.contains(" starting: config " + deployment.configFile()
                    + ", root " + deployment.root() + ", permission policy default")))
                    .as("the start line, with a date").hasSize(1)
                    .allSatisfy(l -> assertThat(l).matches("\\d{4}-\\d{2}-\\d{2} .* INFO  opencode-worker .*"));
            assertThat(deployment.message(id).terminalOutcomes()).isEmpty();
            await().atMost(Duration.ofSeconds(20)).until(() -> ProcessProbe.openCodeUnder(deployment.root()).isEmpty());
        }
    }
}
