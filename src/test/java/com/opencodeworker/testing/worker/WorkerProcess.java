package com.opencodeworker.testing.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The worker as a separate JVM, started the way a user starts it ({@code Main} with flags and
 * environment), for tests that kill it without a goodbye or send it signals. It runs in a session
 * and process group of its own ({@code setsid}), as under a terminal or a service manager, so that
 * a test can signal the whole group as Ctrl-C and {@code systemctl stop} do.
 */
public final class WorkerProcess implements AutoCloseable {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private WorkerProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code com.opencodeworker.Main args} with this test JVM's class path, in {@code workDir}. */
    public static WorkerProcess start(Path workDir, List<String> args, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>();
        // setsid execs the JVM in place (a child is never a group leader), so the pid is the JVM's.
        command.add("setsid");
        // A terminal or a service manager starts the worker with default signal dispositions; a test run
        // started in the background (where shells ignore INT) would hand its ignored signals down.
        command.addAll(List.of("perl", "-e", "$SIG{$_} = 'DEFAULT' for qw(INT TERM HUP QUIT);"
                + " exec { $ARGV[0] } @ARGV or die \"cannot run $ARGV[0]: $!\\n\""));
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        // The worker's own logging setup, not the tests' (which is also on this class path).
        command.add("-Dlogback.configurationFile=logback.xml");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("com.opencodeworker.Main");
        command.addAll(args);
        Path out = Files.createTempFile(workDir, "worker-", ".out");
        Path err = Files.createTempFile(workDir, "worker-", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().putAll(env);
        return new WorkerProcess(builder.start(), out, err);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, as a service manager or {@code kill} sends it. */
    public void terminate() {
        process.toHandle().destroy();
    }

    /**
     * Sends {@code signal} (INT, TERM, ...) to the worker's whole process group, as Ctrl-C in a
     * terminal and {@code systemctl stop} do: the JVM and every process still in its group.
     */
    public void signalGroup(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, "--", "-" + process.pid())
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -s " + signal + " -- -" + process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: the worker gets no chance to clean up. */
    public void kill() {
        process.toHandle().destroyForcibly();
    }

    /** Waits for the exit and returns its code; fails when it takes longer than {@code timeout}. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the worker did not exit within " + timeout + "; its log:\n" + stderr());
        }
        return process.exitValue();
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.toHandle().destroyForcibly();
            process.onExit().join();
        }
    }
}
