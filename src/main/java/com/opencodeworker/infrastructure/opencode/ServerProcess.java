package com.opencodeworker.infrastructure.opencode;

import com.opencodeworker.domain.port.AssistantException;
import com.opencodeworker.domain.port.AssistantStartTimeoutException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code opencode serve} process under its {@link Watchdog}: spawns it, waits for its
 * "listening" line, drains its output into the log and stops the whole process tree.
 * Thread-safe: the fields are final or set once by the output reader before {@code ready} completes.
 */
final class ServerProcess {
    private static final Logger LOG = LoggerFactory.getLogger(ServerProcess.class);
    private static final Pattern LISTENING = Pattern.compile("opencode server listening on (http://\\S+)");
    private static final Duration READER_DRAIN = Duration.ofSeconds(1);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(20);

    private final String label;
    private final Process watchdog;
    private final OutputTail tail;
    private final Thread reader;
    private final CompletableFuture<Long> childPid = new CompletableFuture<>();
    private final CompletableFuture<String> url = new CompletableFuture<>();
    private final AtomicBoolean stopped = new AtomicBoolean();

    private ServerProcess(String label, Process watchdog, OutputTail tail) {
        this.label = label;
        this.watchdog = watchdog;
        this.tail = tail;
        this.reader = new Thread(this::drain, "opencode-out-" + label);
        this.reader.setDaemon(true);
    }

    /**
     * Starts {@code command} in {@code directory} with {@code environment} added to the inherited
     * one ({@code null} values remove an entry) and waits until it listens.
     *
     * @throws AssistantException when it exits or stays silent past the startup timeout; the
     *                            message has its last output lines and exit code
     */
    static ServerProcess start(List<String> command, Path directory, Map<String, String> environment, String label,
                               OpenCodeOptions options) {
        ProcessBuilder builder = new ProcessBuilder(Watchdog.wrap(command, options.stopGrace()))
                .directory(directory.toFile())
                .redirectErrorStream(true);
        environment.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssistantException("Could not start OpenCode for " + label + ": " + e.getMessage(), e);
        }
        ServerProcess server = new ServerProcess(label, process, new OutputTail(options.outputTailLines()));
        server.reader.start();
        process.onExit().thenRun(server::failStartupOnExit).thenRun(server::closeWatchdogInput);
        server.awaitReady(options.startupTimeout());
        return server;
    }

    private void awaitReady(Duration timeout) {
        try {
            CompletableFuture.allOf(url, childPid).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            stop(Duration.ofSeconds(1));
            throw new AssistantStartTimeoutException("OpenCode for " + label + " did not start within " + timeout.toSeconds()
                    + " s; its last output:\n" + tail.text());
        } catch (ExecutionException e) {
            stop(Duration.ofSeconds(1));
            throw (e.getCause() instanceof AssistantException assistant) ? assistant
                    : new AssistantException("OpenCode for " + label + " failed to start", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(Duration.ofSeconds(1));
            throw new AssistantException("Interrupted while starting OpenCode for " + label, e);
        }
    }

    private void failStartupOnExit() {
        if (url.isDone() && childPid.isDone()) {
            return;
        }
        awaitReaderEnd();
        url.completeExceptionally(new AssistantException("OpenCode for " + label + " exited during startup (exit code "
                + watchdog.exitValue() + "); its last output:\n" + tail.text()));
    }

    private void awaitReaderEnd() {
        try {
            reader.join(READER_DRAIN.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drain() {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(watchdog.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                accept(line);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("[{}] output closed: {}", label, e.getMessage());
        }
    }

    private void accept(String line) {
        if (line.startsWith(Watchdog.CHILD_MARK)) {
            childPid.complete(Long.parseLong(line.substring(Watchdog.CHILD_MARK.length()).strip()));
            return;
        }
        LOG.debug("[{}] {}", label, line);
        tail.add(line);
        Matcher listening = LISTENING.matcher(line);
        if (listening.find()) {
            url.complete(listening.group(1));
        }
    }

    String url() {
        return url.join();
    }

    /** The pid of the server itself (not of its watchdog). */
    long pid() {
        return childPid.join();
    }

    boolean isAlive() {
        return watchdog.isAlive();
    }

    /** Completes with the exit code once the server (and so its watchdog) has exited. */
    CompletableFuture<Integer> onExit() {
        return watchdog.onExit().thenApply(Process::exitValue);
    }

    String lastOutput() {
        return tail.text();
    }

    /**
     * Terminates the server and its descendants (deepest first), lets the watchdog clean up after
     * it, kills what is left of the whole tree after {@code grace}, and waits for the exit. Idempotent.
     */
    void stop(Duration grace) {
        if (!stopped.compareAndSet(false, true)) {
            awaitExit(List.of(), KILL_WAIT);
            return;
        }
        List<ProcessHandle> serverTree = serverTreeDescendantsFirst();
        List<ProcessHandle> everything = new ArrayList<>(serverTree);
        watchdog.descendants().filter(handle -> !everything.contains(handle)).forEach(everything::add);
        serverTree.forEach(ProcessHandle::destroy);
        List<ProcessHandle> left = awaitExit(everything, grace);
        if (!left.isEmpty()) {
            LOG.info("OpenCode for {} did not stop within {} ms: killing {} process(es)", label, grace.toMillis(),
                    left.size());
            // The server first, so that the watchdog still reaps it, then whatever remains.
            List<ProcessHandle> serverLeft = left.stream().filter(serverTree::contains).toList();
            if (!serverLeft.isEmpty()) {
                serverLeft.forEach(ProcessHandle::destroyForcibly);
                left = awaitExit(everything, KILL_WAIT);
            }
            left.forEach(ProcessHandle::destroyForcibly);
            awaitExit(left, KILL_WAIT);
        }
        closeQuietly(watchdog.getOutputStream());
    }

    private List<ProcessHandle> serverTreeDescendantsFirst() {
        List<ProcessHandle> tree = new ArrayList<>();
        ProcessHandle.of(childPid.getNow(-1L)).ifPresent(server -> {
            List<ProcessHandle> below = new ArrayList<>(server.descendants().toList());
            Collections.reverse(below);
            tree.addAll(below);
            tree.add(server);
        });
        return tree;
    }

    /**
     * Waits until the watchdog (our child: its exit is seen at once) and {@code others} are gone;
     * returns those still running, the watchdog included. Zombies count as gone: in a container
     * whose init does not reap, an orphan stays a zombie for ever.
     */
    private List<ProcessHandle> awaitExit(List<ProcessHandle> others, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            watchdog.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<ProcessHandle> running = running(others);
            while (!running.isEmpty() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
                running = running(others);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<ProcessHandle> left = new ArrayList<>(running(others));
        if (watchdog.isAlive()) {
            left.add(watchdog.toHandle());
        }
        return left;
    }

    private static List<ProcessHandle> running(List<ProcessHandle> handles) {
        return handles.stream().filter(ServerProcess::isRunning).toList();
    }

    /** Alive and not a zombie. */
    static boolean isRunning(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
            int afterName = stat.lastIndexOf(')');
            return afterName < 0 || afterName + 2 >= stat.length() || stat.charAt(afterName + 2) != 'Z';
        } catch (IOException e) {
            return handle.isAlive();
        }
    }

    /** Closes the watchdog's stdin, as the death of the JVM would. */
    void closeWatchdogInput() {
        closeQuietly(watchdog.getOutputStream());
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            LOG.debug("closing the watchdog pipe failed: {}", e.getMessage());
        }
    }
}
