package com.opencodeworker.infrastructure.opencode;

import com.opencodeworker.domain.port.AssistantException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
        process.onExit().thenRun(server::failStartupOnExit);
        server.awaitReady(options.startupTimeout());
        return server;
    }

    private void awaitReady(Duration timeout) {
        try {
            CompletableFuture.allOf(url, childPid).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            stop(Duration.ofSeconds(1));
            throw new AssistantException("OpenCode for " + label + " did not start within " + timeout.toSeconds()
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
     * Terminates the server's process tree, descendants first, kills what is left after
     * {@code grace}, and waits for the exit. Idempotent.
     */
    void stop(Duration grace) {
        if (!stopped.compareAndSet(false, true)) {
            awaitExit(List.of(watchdog.toHandle()), KILL_WAIT);
            return;
        }
        List<ProcessHandle> tree = treeDescendantsFirst();
        tree.forEach(ProcessHandle::destroy);
        // The watchdog is our child, so its exit is seen at once; it exits right after the server.
        List<ProcessHandle> waitOrder = new ArrayList<>(tree);
        java.util.Collections.rotate(waitOrder, 1);
        List<ProcessHandle> left = awaitExit(waitOrder, grace);
        if (!left.isEmpty()) {
            LOG.info("OpenCode for {} did not stop within {} ms: killing {} process(es)", label, grace.toMillis(),
                    left.size());
            left.forEach(ProcessHandle::destroyForcibly);
            awaitExit(left, KILL_WAIT);
        }
        closeQuietly(watchdog.getOutputStream());
    }

    private List<ProcessHandle> treeDescendantsFirst() {
        List<ProcessHandle> tree = new ArrayList<>();
        ProcessHandle.of(childPid.getNow(-1L)).ifPresent(server -> {
            List<ProcessHandle> below = new ArrayList<>(server.descendants().toList());
            java.util.Collections.reverse(below);
            tree.addAll(below);
            tree.add(server);
        });
        watchdog.descendants().filter(handle -> !tree.contains(handle)).forEach(tree::add);
        tree.add(watchdog.toHandle());
        return tree;
    }

    private static List<ProcessHandle> awaitExit(List<ProcessHandle> handles, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle handle : handles) {
            long left = deadline - System.nanoTime();
            try {
                handle.onExit().get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return handles.stream().filter(ProcessHandle::isAlive).toList();
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
