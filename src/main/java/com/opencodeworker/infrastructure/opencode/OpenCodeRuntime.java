package com.opencodeworker.infrastructure.opencode;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.PermissionPolicy;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.AssistantException;
import com.opencodeworker.domain.port.AssistantRuntime;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one supervised {@code opencode serve} per chat session. The binary is the given one
 * ({@code --opencode-bin} / {@code OPENCODE_BIN}) or {@code opencode} on the {@code PATH}; servers
 * inherit the worker's environment plus {@code extraEnvironment}. Thread-safe.
 */
public final class OpenCodeRuntime implements AssistantRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(OpenCodeRuntime.class);
    private static final String INSTALL_HINT = "install it with `npm i -g opencode-ai` or set OPENCODE_BIN";

    private final Optional<Path> binary;
    private final PermissionGuard guard;
    private final Map<String, String> extraEnvironment;
    private final OpenCodeOptions options;
    private final ObjectMapper json = new ObjectMapper();
    private static final int EVENT_STREAMS = 256;

    private final OkHttpClient http = new OkHttpClient.Builder().dispatcher(eventStreamDispatcher()).build();
    private final SecureRandom random = new SecureRandom();
    private final ScheduledThreadPoolExecutor scheduler;
    private final StartGate starts = new StartGate(Runtime.getRuntime().availableProcessors());

    public OpenCodeRuntime(Optional<Path> binary, PermissionPolicy policy, Map<String, String> extraEnvironment,
                           OpenCodeOptions options) {
        this.binary = Objects.requireNonNull(binary, "binary");
        this.guard = new PermissionGuard(Objects.requireNonNull(policy, "policy"));
        this.extraEnvironment = Map.copyOf(extraEnvironment);
        this.options = Objects.requireNonNull(options, "options");
        AtomicInteger threads = new AtomicInteger();
        this.scheduler = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "opencode-timer-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.scheduler.setRemoveOnCancelPolicy(true);
    }

    /**
     * Every server's event stream is an async call that stays open, and all servers are on host
     * 127.0.0.1: OkHttp's default of 5 async calls per host let the sixth server's stream wait for
     * ever ("event stream did not open"). One stream per server, up to the 64 servers allowed.
     */
    private static Dispatcher eventStreamDispatcher() {
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(EVENT_STREAMS);
        dispatcher.setMaxRequestsPerHost(EVENT_STREAMS);
        return dispatcher;
    }

    @Override
    public void verifyAvailable() {
        LOG.info("Using {}", checkAvailable());
    }

    /**
     * Finds the binary and runs {@code --version}: "OpenCode 1.2.3 at /path".
     *
     * @throws WorkerException (exit 2) when it is missing or does not run
     */
    public String checkAvailable() {
        Path executable = resolveBinary();
        return "OpenCode " + runVersion(executable) + " at " + executable;
    }

    /** The binary to run; throws the actionable "not found" error when there is none. */
    Path resolveBinary() {
        if (binary.isPresent()) {
            Path given = binary.get();
            if (!Files.isRegularFile(given) || !Files.isExecutable(given)) {
                throw new WorkerException(ExitCode.INVALID_INPUT, "OpenCode not found at " + given
                        + " (not an executable file): " + INSTALL_HINT);
            }
            return given;
        }
        String path = extraEnvironment.getOrDefault("PATH", Optional.ofNullable(System.getenv("PATH")).orElse(""));
        for (String entry : path.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path candidate = Path.of(entry, "opencode");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new WorkerException(ExitCode.INVALID_INPUT, "OpenCode not found: " + INSTALL_HINT);
    }

    private String runVersion(Path executable) {
        Process process;
        try {
            process = new ProcessBuilder(executable.toString(), "--version").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new WorkerException(ExitCode.INVALID_INPUT, "OpenCode at " + executable + " does not run ("
                    + e.getMessage() + "): " + INSTALL_HINT, e);
        }
        try (InputStream output = process.getInputStream()) {
            process.getOutputStream().close();
            var reading = CompletableFuture.supplyAsync(() -> readAll(output));
            if (!process.waitFor(options.versionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new WorkerException(ExitCode.INVALID_INPUT, "OpenCode at " + executable
                        + " did not answer `--version` within " + options.versionTimeout().toSeconds() + " s");
            }
            String text = reading.get(1, TimeUnit.SECONDS).strip();
            if (process.exitValue() != 0) {
                throw new WorkerException(ExitCode.INVALID_INPUT, "OpenCode at " + executable
                        + " does not run (`--version` exited with " + process.exitValue() + "): "
                        + OneLineText.shorten(text));
            }
            return OneLineText.shorten(text);
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new WorkerException(ExitCode.INVALID_INPUT, "OpenCode at " + executable + " does not run: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new WorkerException(ExitCode.FAILURE, "Interrupted while checking OpenCode", e);
        }
    }

    private static String readAll(InputStream input) {
        try {
            return new String(input.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public OpenCodeProcess start(Path directory, String label) {
        Path executable = resolveBinary();
        ServerCredentials credentials = ServerCredentials.random(random);
        Map<String, String> environment = ServerEnvironment.build(extraEnvironment, guard.configJson(json),
                credentials);
        return starts.run(() -> startNow(executable, directory, label, environment, credentials));
    }

    /** Spawns the server and waits until it listens and its event stream is open; times count from the spawn. */
    private OpenCodeProcess startNow(Path executable, Path directory, String label, Map<String, String> environment,
                                     ServerCredentials credentials) {
        long started = System.nanoTime();
        ServerProcess server = ServerProcess.start(
                List.of(executable.toString(), "serve", "--hostname", "127.0.0.1", "--port", "0"),
                directory, environment, label, options);
        long listening = System.nanoTime();
        HttpUrl url = HttpUrl.parse(server.url());
        if (url == null) {
            server.stop(options.stopGrace());
            throw new AssistantException("OpenCode for " + label + " printed an unusable address: " + server.url());
        }
        OpenCodeClient client = new OpenCodeClient(http, url, credentials, json, options.requestTimeout());
        OpenCodeProcess process = new OpenCodeProcess(label, directory, server, client, guard, json, scheduler,
                options);
        try {
            process.connect();
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
        LOG.info("started OpenCode for {} in {} (pid {}, {}; listening after {} ms, ready after {} ms)", label,
                directory, server.pid(), url, TimeUnit.NANOSECONDS.toMillis(listening - started),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return process;
    }
}
