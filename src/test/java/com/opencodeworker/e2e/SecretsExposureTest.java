package com.opencodeworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.testing.model.FakeModelServer;
import com.opencodeworker.testing.worker.Deployment;
import com.opencodeworker.testing.worker.ProcessProbe;
import com.opencodeworker.testing.worker.WorkerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real worker with debug logging through a reply, a cancel and a stop, then looks for
 * credentials where they must not be: the machine secret and every OpenCode server password in
 * its whole output, the machine secret and the access key in the deployment's tables; and checks each running {@code opencode serve} from outside: it listens on
 * 127.0.0.1 only and refuses requests without its password.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SecretsExposureTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path base;

    @Test
    void credentialsStayOutOfLogsAndOpenCodeIsClosedToOthers() throws Exception {
        try (Deployment deployment = new Deployment(base)) {
            deployment.model().setSlowDelay(Duration.ofMillis(100));
            String session = deployment.createSession(deployment.createWorker("project"));
            WorkerProcess worker = deployment.startProcess(Map.of("MACHINE_TOKEN", deployment.token()),
                    "--verbose");
            String secret = deployment.token().substring(deployment.token().indexOf(':') + 1);
            String first = deployment.send(session, "hello");
            await().atMost(WAIT).until(() -> deployment.ended(first));
            String second = deployment.send(session, FakeModelServer.SLOW + " and cancel");
            await().atMost(WAIT).until(() -> deployment.streamedText(second).length() > 0);

            List<ProcessHandle> servers = ProcessProbe.openCodeUnder(deployment.root()).stream()
                    .filter(p -> p.info().commandLine().map(c -> c.contains("serve")).orElse(false)).toList();
            assertThat(servers).isNotEmpty();
            Set<String> passwords = new HashSet<>();
            int checkedSockets = 0;
            for (ProcessHandle server : servers) {
                assertThat(environ(server)).as("OpenCode's environment").noneMatch(e -> e.contains(secret));
                environ(server).stream().filter(e -> e.startsWith("OPENCODE_SERVER_PASSWORD="))
                        .map(e -> e.substring("OPENCODE_SERVER_PASSWORD=".length())).forEach(passwords::add);
                for (ProcessProbe.Listening socket : ProcessProbe.listening(server.pid())) {
                    assertThat(socket.address()).as("opencode listens on loopback only").isEqualTo("0100007F");
                    try (Response response = new OkHttpClient().newCall(new Request.Builder()
                            .url("http://127.0.0.1:" + socket.port() + "/session").build()).execute()) {
                        assertThat(response.code()).isEqualTo(401);
                    }
                    checkedSockets++;
                }
            }
            assertThat(checkedSockets).as("listening sockets of opencode serve").isPositive();
            assertThat(passwords).isNotEmpty().allSatisfy(p -> assertThat(p).hasSizeGreaterThanOrEqualTo(16));

            deployment.cancel(second);
            await().atMost(WAIT).until(() -> deployment.ended(second));
            worker.terminate();
            assertThat(worker.awaitExit(Duration.ofSeconds(30))).isZero();

            String output = worker.stdout() + worker.stderr();
            assertThat(output).contains("DEBUG").contains(deployment.machineId());
            assertThat(output).doesNotContain(secret);
            for (String password : passwords) {
                assertThat(output).doesNotContain(password);
            }
            for (String table : List.of("users", "accessKeys", "machines", "workers", "sessions", "messages", "chunks")) {
                assertThat(deployment.convex().table(table).toString()).as("the %s table", table)
                        .doesNotContain(secret).doesNotContain(deployment.convex().accessKey());
            }
            Path config = deployment.configFile();
            assertThat(Files.readString(config)).contains(secret);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
        }
    }

    private static List<String> environ(ProcessHandle process) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "environ"));
        return List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
    }
}
