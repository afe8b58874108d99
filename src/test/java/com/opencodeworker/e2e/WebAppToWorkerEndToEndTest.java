package com.opencodeworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.testing.worker.Deployment;
import com.opencodeworker.testing.worker.ProcessProbe;
import com.opencodeworker.testing.worker.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the real functions can show: everything a user does in the web app (a machine, a
 * worker, a session, a message, through the web app's own public functions and an access key)
 * is answered by the worker jar started with the token the web app handed out, and the web app's
 * {@code messages:list} shows the reply.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WebAppToWorkerEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path base;

    @Test
    void aMessageSentInTheWebAppIsAnsweredByTheWorkerStartedWithTheTokenItGave() throws Exception {
        try (Deployment deployment = new Deployment(base)) {
            Map<?, ?> machine = (Map<?, ?>) deployment.webApp("mutation", "machines:create", Map.of("name", "laptop"));
            String machineId = (String) machine.get("machineId");
            String token = (String) machine.get("token");
            assertThat(token).startsWith(machineId + ":sec_");
            Files.createDirectories(deployment.root().resolve("site"));
            String worker = (String) deployment.webApp("mutation", "workers:create", Map.of("machineId", machineId,
                    "name", "Site", "directory", "site"));
            Map<String, Object> sessionArgs = new HashMap<>(Map.of("workerId", worker));
            sessionArgs.put("title", "First chat");
            String session = (String) deployment.webApp("mutation", "sessions:create", sessionArgs);
            Map<String, Object> message = new HashMap<>(Map.of("sessionId", session, "content", "hello from the web app"));
            message.put("model", null);
            String messageId = (String) deployment.webApp("mutation", "messages:send", message);

            WorkerProcess process = deployment.startProcess(token, Map.of());

            await().atMost(WAIT).until(() -> "completed".equals(listed(deployment, session, messageId).get("status")));
            Map<?, ?> reply = (Map<?, ?>) listed(deployment, session, messageId).get("reply");
            assertThat((String) reply.get("content")).startsWith("Hello from fake model (user turns seen: 1)")
                    .contains(deployment.root().resolve("site").toString());
            assertThat(workerView(deployment, machineId, worker).get("status")).isEqualTo("ready");
            Map<?, ?> online = machineView(deployment, machineId);
            assertThat(online.get("status")).isEqualTo("online");
            assertThat(online.get("rootDirectory")).isEqualTo(deployment.root().toString());

            process.terminate();
            assertThat(process.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(machineView(deployment, machineId).get("status")).isEqualTo("offline");
            await().atMost(Duration.ofSeconds(20)).until(() -> ProcessProbe.openCodeUnder(deployment.root()).isEmpty());
        }
    }

    private static Map<?, ?> listed(Deployment deployment, String session, String messageId) {
        Map<String, Object> pagination = new HashMap<>();
        pagination.put("numItems", 10);
        pagination.put("cursor", null);
        Map<?, ?> page = (Map<?, ?>) deployment.webApp("query", "messages:list", Map.of("sessionId", session,
                "paginationOpts", pagination));
        return ((List<?>) page.get("page")).stream().map(m -> (Map<?, ?>) m)
                .filter(m -> messageId.equals(m.get("messageId"))).findFirst().orElseThrow();
    }

    private static Map<?, ?> workerView(Deployment deployment, String machineId, String workerId) {
        return ((List<?>) deployment.webApp("query", "workers:list", Map.of("machineId", machineId))).stream()
                .map(w -> (Map<?, ?>) w).filter(w -> workerId.equals(w.get("workerId"))).findFirst().orElseThrow();
    }

    private static Map<?, ?> machineView(Deployment deployment, String machineId) {
        return ((List<?>) deployment.webApp("query", "machines:list", Map.of())).stream().map(m -> (Map<?, ?>) m)
                .filter(m -> machineId.equals(m.get("machineId"))).findFirst().orElseThrow();
    }
}
