package com.opencodeworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.presentation.service.DaemonJvmOptions;
import com.opencodeworker.testing.worker.Deployment;
import com.opencodeworker.testing.worker.WorkerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker started without JVM options ({@code java -jar}) runs with the quick compiler only, as the
 * launcher's {@code -XX:TieredStopAtLevel=1} gives it; one started with compiler options of its own
 * keeps them. Read from the running JVM as a user would: {@code jcmd PID Compiler.directives_print}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuickCompilerEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The C2 block of a directive that excludes every method; the JVM's default directive excludes none. */
    private static final String C2_EXCLUDED = "Enable:true Exclude:true";

    @TempDir
    Path base;

    @Test
    void aWorkerStartedWithTheJvmsDefaultsExcludesTheOptimizingCompiler() throws Exception {
        assertThat(directivesOfOnlineWorker(Map.of())).contains(C2_EXCLUDED);
    }

    @Test
    void aWorkerStartedWithTheLaunchersOptionsKeepsThem() throws Exception {
        String directives = directivesOfOnlineWorker(Map.of("JAVA_TOOL_OPTIONS",
                String.join(" ", DaemonJvmOptions.OPTIONS)));

        assertThat(directives).contains("Directive: (default)").doesNotContain(C2_EXCLUDED);
    }

    /** The compiler directives of a worker started with {@code environment}, once it is online. */
    private String directivesOfOnlineWorker(Map<String, String> environment) throws Exception {
        try (Deployment deployment = new Deployment(base)) {
            WorkerProcess worker = deployment.startProcess(environment);
            await().atMost(WAIT).until(() -> "online".equals(deployment.machineStatus()));
            return jcmd(worker.pid(), "Compiler.directives_print");
        }
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jcmd.waitFor(30, TimeUnit.SECONDS)).as("jcmd ended").isTrue();
        assertThat(jcmd.exitValue()).as(output).isZero();
        return output;
    }
}
