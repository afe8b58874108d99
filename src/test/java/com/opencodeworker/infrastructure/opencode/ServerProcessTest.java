package com.opencodeworker.infrastructure.opencode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.domain.port.AssistantException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor against tiny fake servers written as shell scripts. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ServerProcessTest {
    private static final String LISTENING = "echo 'opencode server listening on http://127.0.0.1:4321'";
    private static final OpenCodeOptions OPTIONS = OpenCodeOptions.defaults()
            .withStartupTimeout(Duration.ofSeconds(5)).withStopGrace(Duration.ofMillis(500));

    @TempDir
    Path temp;

    private Path script(String body) throws IOException {
        Path script = temp.resolve("fake-opencode-" + System.nanoTime());
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private ServerProcess start(Path script, OpenCodeOptions options) {
        return ServerProcess.start(List.of(script.toString(), "serve"), temp, Map.of("FAKE_ENV", "set"), "test",
                options);
    }

    @Test
    void readinessLineGivesTheServerAddress() throws IOException {
        ServerProcess server = start(script("echo 'Warning: something'\n" + LISTENING + "\nexec sleep 60"), OPTIONS);
        try {
            assertThat(server.url()).isEqualTo("http://127.0.0.1:4321");
            assertThat(server.isAlive()).isTrue();
            assertThat(server.lastOutput()).contains("Warning: something");
        } finally {
            server.stop(OPTIONS.stopGrace());
        }
    }

    @Test
    void pidIsTheServersNotTheWatchdogs() throws IOException {
        Path pidFile = temp.resolve("pid");
        ServerProcess server = start(script("echo $$ > " + pidFile + "\n" + LISTENING + "\nexec sleep 60"), OPTIONS);
        try {
            assertThat(Files.readString(pidFile).strip()).isEqualTo(Long.toString(server.pid()));
        } finally {
            server.stop(OPTIONS.stopGrace());
        }
    }

    @Test
    void environmentEntriesReachTheServer() throws IOException {
        ServerProcess server = start(script("echo \"env=$FAKE_ENV\"\n" + LISTENING + "\nexec sleep 60"), OPTIONS);
        try {
            assertThat(server.lastOutput()).contains("env=set");
        } finally {
            server.stop(OPTIONS.stopGrace());
        }
    }

    @Test
    void silentServerFailsAfterTheStartupTimeoutWithItsOutput() throws IOException {
        Path script = script("echo 'booting slowly'\nexec sleep 60");

        assertThatThrownBy(() -> start(script, OPTIONS.withStartupTimeout(Duration.ofMillis(300))))
                .isInstanceOf(AssistantException.class)
                .hasMessageContaining("did not start within 0 s")
                .hasMessageContaining("booting slowly");
    }

    @Test
    void earlyExitFailsWithTheExitCodeAndTheLastOutputLines() throws IOException {
        Path script = script("echo 'first line'\necho 'Error: Unexpected error' >&2\necho 'ServeError'\nexit 3");

        assertThatThrownBy(() -> start(script, OPTIONS))
                .isInstanceOf(AssistantException.class)
                .hasMessageContaining("exit code 3")
                .hasMessageContaining("first line\nError: Unexpected error\nServeError");
    }

    @Test
    void stopEndsTheServerAndItsChildren() throws IOException {
        ServerProcess server = start(script("sleep 60 &\n" + LISTENING + "\nwait"), OPTIONS);
        ProcessHandle serverHandle = ProcessHandle.of(server.pid()).orElseThrow();
        List<ProcessHandle> children = serverHandle.descendants().toList();

        server.stop(OPTIONS.stopGrace());

        assertThat(children).isNotEmpty().noneMatch(ServerProcess::isRunning);
        assertThat(ServerProcess.isRunning(serverHandle)).isFalse();
        assertThat(server.isAlive()).isFalse();
    }

    @Test
    void stopKillsAServerThatIgnoresTerm() throws IOException {
        ServerProcess server = start(script("trap '' TERM\n" + LISTENING + "\nwhile :; do sleep 0.1; done"),
                OPTIONS);
        ProcessHandle serverHandle = ProcessHandle.of(server.pid()).orElseThrow();

        server.stop(Duration.ofMillis(300));

        assertThat(ServerProcess.isRunning(serverHandle)).isFalse();
        assertThat(server.isAlive()).isFalse();
    }

    @Test
    void stopIsIdempotent() throws IOException {
        ServerProcess server = start(script(LISTENING + "\nexec sleep 60"), OPTIONS);

        server.stop(OPTIONS.stopGrace());
        server.stop(OPTIONS.stopGrace());

        assertThat(server.isAlive()).isFalse();
    }

    @Test
    void closedWatchdogPipeEndsTheServer() throws Exception {
        ServerProcess server = start(script(LISTENING + "\nexec sleep 60"), OPTIONS);
        ProcessHandle serverHandle = ProcessHandle.of(server.pid()).orElseThrow();

        server.closeWatchdogInput();

        serverHandle.onExit().get(5, TimeUnit.SECONDS);
        assertThat(server.onExit().get(5, TimeUnit.SECONDS)).isEqualTo(143);
    }

    @Test
    void closedWatchdogPipeKillsAServerThatIgnoresTerm() throws Exception {
        ServerProcess server = start(script("trap '' TERM\n" + LISTENING + "\nwhile :; do sleep 0.1; done"),
                OPTIONS);
        ProcessHandle serverHandle = ProcessHandle.of(server.pid()).orElseThrow();

        server.closeWatchdogInput();

        serverHandle.onExit().get(10, TimeUnit.SECONDS);
        assertThat(server.onExit().get(5, TimeUnit.SECONDS)).isEqualTo(137);
    }

    @Test
    void unexpectedExitIsReportedWithItsCode() throws Exception {
        ServerProcess server = start(script(LISTENING + "\nexec sleep 60"), OPTIONS);

        ProcessHandle.of(server.pid()).orElseThrow().destroyForcibly();

        assertThat(server.onExit().get(5, TimeUnit.SECONDS)).isEqualTo(137);
    }

    @Test
    void theServerRunsInAProcessGroupOfItsOwnAndItsWatchdogIgnoresTheGroupsStopSignals() throws IOException {
        ServerProcess server = start(script("sleep 60 &\n" + LISTENING + "\nwait"), OPTIONS);
        try {
            ProcessHandle serverHandle = ProcessHandle.of(server.pid()).orElseThrow();
            long ours = processGroup(ProcessHandle.current().pid());
            assertThat(processGroup(server.pid())).isNotEqualTo(ours).isEqualTo(server.pid());
            assertThat(serverHandle.descendants()).isNotEmpty()
                    .allSatisfy(child -> assertThat(processGroup(child.pid())).isEqualTo(server.pid()));
            ProcessHandle watchdog = serverHandle.parent().orElseThrow();
            assertThat(processGroup(watchdog.pid())).isEqualTo(ours);
            // The watchdog forks its EOF watcher, and the watcher its cat, after it reports the server's pid.
            List<ProcessHandle> inOurGroup = await().atMost(Duration.ofSeconds(5)).until(
                    () -> watchdog.descendants().filter(p -> processGroup(p.pid()) == ours).toList(),
                    helpers -> helpers.size() == 2);
            for (ProcessHandle helper : concat(watchdog, inOurGroup)) {
                assertThat(ignoredSignals(helper.pid())).as("signals ignored by pid " + helper.pid())
                        .contains(2, 15, 1);
            }
            assertThat(ignoredSignals(server.pid())).doesNotContain(15, 1);
        } finally {
            server.stop(OPTIONS.stopGrace());
        }
    }

    @Test
    void aClosedWatchdogPipeEndsTheServersWholeGroup() throws Exception {
        ServerProcess server = start(script("sleep 60 &\n" + LISTENING + "\nwait"), OPTIONS);
        ProcessHandle serverHandle = ProcessHandle.of(server.pid()).orElseThrow();
        List<ProcessHandle> children = serverHandle.descendants().toList();

        server.closeWatchdogInput();

        serverHandle.onExit().get(5, TimeUnit.SECONDS);
        for (ProcessHandle child : children) {
            child.onExit().get(5, TimeUnit.SECONDS);
        }
        assertThat(children).isNotEmpty().noneMatch(ServerProcess::isRunning);
    }

    private static List<ProcessHandle> concat(ProcessHandle first, List<ProcessHandle> rest) {
        List<ProcessHandle> all = new ArrayList<>(rest);
        all.add(0, first);
        return all;
    }

    /** Field 5 of /proc/PID/stat (after the parenthesised command name). */
    private static long processGroup(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[2]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The signal numbers in the SigIgn mask of /proc/PID/status. */
    private static List<Integer> ignoredSignals(long pid) {
        try {
            String mask = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(line -> line.startsWith("SigIgn:")).findFirst().orElseThrow().substring(7).strip();
            long bits = Long.parseUnsignedLong(mask, 16);
            return IntStream.rangeClosed(1, 64).filter(n -> (bits & (1L << (n - 1))) != 0).boxed()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
