package com.opencodeworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.presentation.WorkerCommand;
import com.opencodeworker.testing.StreamTerminal;
import com.opencodeworker.testing.worker.Deployment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --dry-run} against a deployment over real sockets: Convex, the token, OpenCode and every worker directory. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DryRunEndToEndTest {
    @TempDir
    Path base;

    @Test
    void everyWorkerDirectoryIsCheckedAndEveryProblemListed() {
        try (Deployment deployment = new Deployment(base)) {
            String good = deployment.createWorker("project");
            String gone = deployment.createWorkerOnly("gone");
            StreamTerminal terminal = new StreamTerminal(new ByteArrayInputStream(new byte[0]),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
            CommandLine commandLine = new WorkerCommand(Map.of(), base, terminal, config -> ExitCode.OK).commandLine();
            StringWriter out = new StringWriter();
            commandLine.setOut(new PrintWriter(out, true));

            int exitCode = commandLine.execute("--dry-run", "--token", deployment.token(), "--convex-url",
                    deployment.convex().url(), "--root", deployment.root().toString(), "--config",
                    deployment.configFile().toString(), "--opencode-bin", Deployment.openCodeBinary().toString());

            assertThat(exitCode).isEqualTo(2);
            assertThat(out.toString())
                    .contains("ok    OpenCode         OpenCode 1.18.33 at ")
                    .contains("ok    Convex           " + deployment.convex().url() + " reachable, token accepted (2 workers)")
                    .contains("ok    worker project (" + good + ") " + deployment.root().resolve("project"))
                    .contains("FAIL  worker gone (" + gone + ") Directory not found")
                    .contains("1 problem.");
            assertThat(deployment.successfulCalls("machines:connect")).isEmpty();
        }
    }
}
