package com.opencodeworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.testing.deployment.TestDeployment;
import com.opencodeworker.testing.worker.Deployment;
import com.opencodeworker.testing.worker.WorkerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two workers with one config file on one host: the second refuses, the first runs on undisturbed. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SingleInstanceEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path base;

    @Test
    void aSecondWorkerWithTheSameConfigRefusesWithCode5AndAKilledWorkersLockDoesNotBlock() throws Exception {
        try (Deployment deployment = new Deployment(base)) {
            WorkerProcess first = deployment.startProcess();
            await().atMost(WAIT).until(() -> "online".equals(deployment.machineStatus()));
            String firstInstance = deployment.successfulCalls("machines:connect").get(0).instanceId();

            WorkerProcess second = deployment.startProcess();

            assertThat(second.awaitExit(WAIT)).isEqualTo(ExitCode.ALREADY_RUNNING.code());
            assertThat(second.stderr().strip()).isEqualTo("Another worker is already running with the config file "
                    + deployment.configFile() + " (pid " + first.pid() + "); stop it first, or give this one its own"
                    + " --config");
            assertThat(first.isAlive()).isTrue();
            assertThat(deployment.successfulCalls("machines:connect")).extracting(TestDeployment.Call::instanceId)
                    .containsExactly(firstInstance);

            first.kill();
            first.awaitExit(WAIT);
            WorkerProcess third = deployment.startProcess();
            await().atMost(WAIT).until(() -> deployment.successfulCalls("machines:connect").size() == 2);
            third.terminate();
            assertThat(third.awaitExit(WAIT)).isZero();
        }
    }
}
