package com.opencodeworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.presentation.WorkerCommand;
import com.opencodeworker.testing.StreamTerminal;
import com.opencodeworker.testing.model.FakeModelServer;
import com.opencodeworker.testing.worker.Deployment;
import com.opencodeworker.testing.worker.ProcessProbe;
import com.opencodeworker.testing.worker.WorkerProcess;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code opencode-worker status} asks a running worker (a separate JVM) what it is doing. */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class StatusEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path base;

    private record Answer(int exitCode, String out, String err) {
    }

    private Answer status(Path config, String... extra) {
        StreamTerminal terminal = new StreamTerminal(new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        CommandLine commandLine = new WorkerCommand(Map.of(), base, terminal, config1 -> ExitCode.OK).commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        String[] args = new String[extra.length + 3];
        args[0] = "status";
        args[1] = "--config";
        args[2] = config.toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        return new Answer(commandLine.execute(args), out.toString(), err.toString());
    }

    @Test
    void statusOfARunningWorkerShowsItsMachineWorkersAndTheReplyInFlight() throws Exception {
        try (Deployment deployment = new Deployment(base)) {
            deployment.model().setSlowDelay(Duration.ofMillis(300));
            String worker = deployment.createWorker("project");
            String session = deployment.createSession(worker);
            Path config = deployment.configFile();
            assertThat(status(config).exitCode()).as("before the start").isEqualTo(3);
            WorkerProcess process = deployment.startProcess();
            String id = deployment.send(session, FakeModelServer.SLOW + " watch me", FakeModelServer.PROVIDER + "/"
                    + FakeModelServer.MODEL);
            await().atMost(WAIT).until(() -> deployment.streamedText(id).length() > 0);

            Answer answer = status(config, "--json");

            assertThat(answer.exitCode()).as(answer.err()).isZero();
            JsonNode json = JSON.readTree(answer.out());
            assertThat(json.get("pid").asLong()).isEqualTo(process.pid());
            assertThat(json.get("connection").asText()).isEqualTo("connected");
            assertThat(json.get("machine").get("id").asText()).isEqualTo(deployment.machineId());
            assertThat(json.get("machine").get("name").asText()).isEqualTo("Test machine");
            assertThat(json.get("uptimeSeconds").asLong()).isNotNegative();
            assertThat(json.get("workers")).hasSize(1);
            assertThat(json.get("workers").get(0).get("directory").asText()).isEqualTo("project");
            assertThat(json.get("workers").get(0).get("state").asText()).isEqualTo("ready");
            JsonNode running = json.get("sessions").get(0);
            assertThat(running.get("id").asText()).isEqualTo(session);
            assertThat(running.get("state").asText()).isEqualTo("replying");
            assertThat(ProcessProbe.openCodeUnder(deployment.root())).extracting(ProcessHandle::pid)
                    .contains(running.get("openCodePid").asLong());
            assertThat(running.get("reply").get("message").asText()).isEqualTo(id);
            assertThat(running.get("reply").get("model").asText()).isEqualTo("fake/fake-model");
            assertThat(running.get("reply").get("chunks").asLong()).isPositive();

            Answer text = status(config);
            assertThat(text.exitCode()).isZero();
            assertThat(text.out()).contains("opencode-worker ").contains("running (pid " + process.pid())
                    .contains("\"Test machine\" (" + deployment.machineId() + "), connected")
                    .contains("replying to " + id + " (model fake/fake-model, ");

            Path statusFile = Path.of(config + ".status");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(statusFile))).isEqualTo("rw-------");
            int port = JSON.readTree(statusFile.toFile()).get("port").asInt();
            HttpResponse<String> noSecret = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/status")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(noSecret.statusCode()).isEqualTo(401);

            process.terminate();
            assertThat(process.awaitExit(WAIT)).isZero();
            Answer after = status(config);
            assertThat(after.exitCode()).isEqualTo(3);
            assertThat(after.err()).isEqualTo("No worker is running with the config file " + config + "\n");
            assertThat(statusFile).doesNotExist();
        }
    }
}
