package com.opencodeworker.testing.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Java side of the test deployment: start, the seeded key, public calls, faults, reads, stop. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TestDeploymentTest {

    @Test
    void servesTheProjectsFunctionsWithTheSeededKeyAndStopsItsProcessOnClose() {
        ProcessHandle node;
        try (TestDeployment deployment = TestDeployment.start(new TestDeployment.Options(Duration.ofMillis(700), null))) {
            node = ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("")
                    .contains("test-deployment/cli.mjs") && p.info().commandLine().orElse("").contains("--exit-with-stdin")
                    && p.parent().map(parent -> parent.pid() == ProcessHandle.current().pid()).orElse(false))
                    .findFirst().orElseThrow();
            assertThat(deployment.query("access:whoami", Map.of("accessKey", deployment.accessKey())))
                    .isEqualTo(Map.of("user", "test", "label", "test-deployment"));

            Map<?, ?> machine = (Map<?, ?>) deployment.mutation("machines:create",
                    Map.of("accessKey", deployment.accessKey(), "name", "box"));

            assertThat(deployment.table("machines")).singleElement()
                    .satisfies(row -> assertThat(row.get("machineId")).isEqualTo(machine.get("machineId")))
                    .satisfies(row -> assertThat(row.toString()).doesNotContain((String) machine.get("token")));
            String token = (String) machine.get("token");
            Map<?, ?> connected = (Map<?, ?>) deployment.mutation("machines:connect", Map.of("machineId",
                    machine.get("machineId"), "secret", token.substring(token.indexOf(':') + 1), "instanceId", "i-1",
                    "version", "test", "hostname", "host", "platform", "linux", "rootDirectory", "/srv"));
            assertThat(connected.get("heartbeatIntervalMs")).as("from --heartbeat-interval-ms").isEqualTo(700.0);
            assertThat(deployment.calls()).extracting(TestDeployment.Call::function, TestDeployment.Call::outcome)
                    .containsExactly(tuple("machines:create", "ok"), tuple("machines:connect", "ok"));
            assertThat(deployment.clientVersions()).contains("java-test-0.1.0");
        }
        assertThat(node.isAlive()).as("the Node process after close").isFalse();
    }

    @Test
    void refusesInternalFunctionsToClientsAndReportsConvexErrorCodes() {
        try (TestDeployment deployment = TestDeployment.start()) {
            assertThatThrownBy(() -> deployment.mutation("access:createKey", Map.of("user", "x", "label", "y")))
                    .isInstanceOfSatisfying(TestDeployment.FunctionError.class, e -> {
                        assertThat(e.code()).isNull();
                        assertThat(e.getMessage()).contains("Could not find public function for 'access:createKey'");
                    });
            assertThatThrownBy(() -> deployment.query("machines:list", Map.of("accessKey", "ak_" + "x".repeat(43))))
                    .isInstanceOfSatisfying(TestDeployment.FunctionError.class,
                            e -> assertThat(e.code()).isEqualTo("UNAUTHORIZED"));
            assertThat(deployment.run("access:listKeys", Map.of())).asList().hasSize(1);
        }
    }

    @Test
    void whileDownThePortRefusesConnectionsAndTheControlChannelStillAnswers() {
        try (TestDeployment deployment = TestDeployment.start()) {
            deployment.setDown(true);

            assertThatThrownBy(() -> deployment.query("access:whoami", Map.of("accessKey", deployment.accessKey())))
                    .isInstanceOf(UncheckedIOException.class).hasCauseInstanceOf(IOException.class);
            assertThat(deployment.run("machines:list", Map.of("accessKey", deployment.accessKey()))).isEqualTo(List.of());

            deployment.setDown(false);
            assertThat(deployment.query("access:whoami", Map.of("accessKey", deployment.accessKey()))).isNotNull();
        }
    }
}
