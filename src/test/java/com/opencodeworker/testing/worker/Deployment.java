package com.opencodeworker.testing.worker;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.domain.PermissionPolicy;
import com.opencodeworker.domain.ProcessMode;
import com.opencodeworker.domain.port.Clock;
import com.opencodeworker.infrastructure.config.WorkerConfig;
import com.opencodeworker.infrastructure.convex.client.ConvexClientOptions;
import com.opencodeworker.infrastructure.opencode.OpenCodeOptions;
import com.opencodeworker.presentation.MachineServer;
import com.opencodeworker.presentation.WorkerWiring;
import com.opencodeworker.testing.convex.FakeBackend;
import com.opencodeworker.testing.convex.FakeConvexServer;
import com.opencodeworker.testing.convex.FakeFunction;
import com.opencodeworker.testing.convex.FakeFunctionRegistry;
import com.opencodeworker.testing.model.FakeModelServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Everything an end-to-end test runs against: a fake Convex deployment speaking the real protocol
 * on a real port with the whole backend contract behind it, a fake model server, the real
 * {@code opencode} binary, a root directory and an isolated OpenCode home. Starts workers in this
 * JVM or as separate processes.
 */
public final class Deployment implements AutoCloseable {
    private final Path base;
    private final FakeConvexServer convex = FakeConvexServer.start();
    private final FakeBackend backend = new FakeBackend(Clock.system());
    private final FakeModelServer model = FakeModelServer.start();
    private final Path root;
    private final Path home;
    private final String token;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Map<String, FakeFunction> queries = new HashMap<>();

    public Deployment(Path base) {
        this.base = base;
        try {
            this.root = Files.createDirectories(base.resolve("root")).toRealPath();
            this.home = Files.createDirectories(base.resolve("home")).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        backend.installOn(new FakeFunctionRegistry() {
            @Override
            public void registerQuery(String path, FakeFunction function) {
                queries.put(path, function);
                convex.registerQuery(path, function);
            }

            @Override
            public void registerMutation(String path, FakeFunction function) {
                convex.registerMutation(path, function);
            }
        });
        convex.setPingInterval(Duration.ofSeconds(1));
        this.token = change(() -> backend.createMachine("Test machine"));
    }

    /** The real opencode binary the build installed; fails loudly when it is missing. */
    public static Path openCodeBinary() {
        String bin = System.getProperty("opencode.bin");
        if (bin == null || !Files.isExecutable(Path.of(bin))) {
            throw new AssertionError("The opencode binary is missing (system property opencode.bin = " + bin
                    + "); run the tests through ./mvnw, which installs it");
        }
        return Path.of(bin);
    }

    /** Runs a change of the backend's data as the web app would, and pushes it to subscribers. */
    public <T> T change(Supplier<T> change) {
        AtomicReference<T> result = new AtomicReference<>();
        convex.update(() -> result.set(change.get()));
        return result.get();
    }

    public FakeConvexServer convex() {
        return convex;
    }

    public FakeBackend backend() {
        return backend;
    }

    public FakeModelServer model() {
        return model;
    }

    public Path root() {
        return root;
    }

    public String token() {
        return token;
    }

    /** The config file the workers of this deployment use. */
    public Path configFile() {
        return base.resolve("worker-config.json");
    }

    public String machineId() {
        return MachineToken.parse(token).machineId().value();
    }

    /** From now on {@code messages:work} also answers these raw items, first (malformed ones included). */
    public void addToWork(List<Map<String, Object>> rawItems) {
        FakeFunction original = queries.get("messages:work");
        convex.update(() -> convex.registerQuery("messages:work", args -> {
            List<Object> items = new ArrayList<>(rawItems);
            items.addAll((List<?>) original.handle(args));
            return items;
        }));
    }

    /** Creates the directory under the root and a worker bound to it. */
    public String createWorker(String directory) {
        try {
            Files.createDirectories(root.resolve(directory));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return change(() -> backend.createWorker(machineId(), directory, directory));
    }

    public String createSession(String workerId) {
        return change(() -> backend.createSession(workerId));
    }

    public String send(String sessionId, String text) {
        return change(() -> backend.sendMessage(sessionId, text, null));
    }

    public String send(String sessionId, String text, String model) {
        return change(() -> backend.sendMessage(sessionId, text, model));
    }

    public FakeBackend.MessageView message(String messageId) {
        return backend.message(messageId);
    }

    /** True once the message reached a terminal state. */
    public boolean ended(String messageId) {
        String status = message(messageId).status();
        return status.equals("completed") || status.equals("failed") || status.equals("cancelled");
    }

    /** The streamed text of the message's newest attempt. */
    public String streamedText(String messageId) {
        FakeBackend.MessageView view = message(messageId);
        return backend.chunks(messageId, view.attempt()).stream().filter(c -> c.kind().equals("text"))
                .map(FakeBackend.ChunkView::text).collect(Collectors.joining());
    }

    /** How many appendChunks calls for the message succeeded. */
    public long appendCalls(String messageId) {
        return backend.calls().stream()
                .filter(c -> c.function().equals("messages:appendChunks") && messageId.equals(c.messageId())
                        && c.outcome().equals("ok"))
                .count();
    }

    /** The environment OpenCode needs here: isolated home, fake model as the default provider. */
    public Map<String, String> openCodeEnvironment() {
        return model.environment(home);
    }

    /**
     * The opencode the workers of this deployment run: a script that counts each {@code opencode serve}
     * and then becomes the real binary (same pid, same arguments).
     */
    public synchronized Path openCodeLauncher() {
        Path launcher = base.resolve("bin").resolve("opencode");
        if (!Files.exists(launcher)) {
            try {
                Files.createDirectories(launcher.getParent());
                Files.writeString(launcher, String.join("\n", "#!/bin/sh",
                        "if [ \"$1\" = serve ]; then echo serve >> '" + startsFile() + "'; fi",
                        "exec '" + openCodeBinary() + "' \"$@\"", ""));
                launcher.toFile().setExecutable(true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return launcher;
    }

    private Path startsFile() {
        return base.resolve("opencode-starts");
    }

    /** How many {@code opencode serve} the workers of this deployment started so far. */
    public long openCodeStarts() {
        try {
            return Files.exists(startsFile()) ? Files.readAllLines(startsFile()).size() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A configuration for a worker of this deployment. */
    public WorkerConfig config(Duration idleTimeout, Duration shutdownGrace) {
        return new WorkerConfig(MachineToken.parse(token), convex.url(), root, base.resolve("worker-config.json"),
                idleTimeout, Duration.ofSeconds(30), Optional.of(openCodeLauncher()), 8, shutdownGrace,
                PermissionPolicy.DEFAULT, false);
    }

    /**
     * A worker in this JVM running OpenCode in {@code mode}, with OpenCode's default event timeout: under
     * load, heartbeats of a busy server can be late without it hanging.
     */
    public InProcessWorker startWorker(ProcessMode mode) {
        return startWorker(config(Duration.ofMinutes(5), Duration.ofSeconds(10)).withProcessMode(mode),
                options -> options);
    }

    /** A worker in this JVM; short client timeouts so that faults show quickly. */
    public InProcessWorker startWorker(Duration idleTimeout, Duration shutdownGrace) {
        return startWorker(config(idleTimeout, shutdownGrace), options -> options.withEventReadTimeout(Duration.ofSeconds(12)));
    }

    private InProcessWorker startWorker(WorkerConfig config, UnaryOperator<OpenCodeOptions> openCodeOptions) {
        WorkerWiring wiring = new WorkerWiring(openCodeEnvironment(),
                options -> options.withInactivityTimeout(Duration.ofSeconds(3)).withMutationTimeout(Duration.ofSeconds(5)),
                openCodeOptions, false);
        MachineServer server = wiring.create(config);
        InProcessWorker worker = new InProcessWorker(server);
        started.add(worker);
        return worker;
    }

    public InProcessWorker startWorker() {
        return startWorker(Duration.ofMinutes(5), Duration.ofSeconds(10));
    }

    /** A worker as a separate JVM, started like a user starts it. */
    public WorkerProcess startProcess(String... extraArgs) {
        return startProcess(Map.of(), extraArgs);
    }

    /** A worker as a separate JVM with more environment entries. */
    public WorkerProcess startProcess(Map<String, String> extraEnv, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--token", token, "--convex-url", convex.url(), "--root",
                root.toString(), "--config", base.resolve("worker-config.json").toString(), "--opencode-bin",
                openCodeLauncher().toString()));
        args.addAll(List.of(extraArgs));
        Map<String, String> env = new HashMap<>(openCodeEnvironment());
        env.putAll(extraEnv);
        try {
            WorkerProcess process = WorkerProcess.start(base, args, env);
            started.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@link MachineServer} running on a thread of this JVM. */
    public static final class InProcessWorker implements AutoCloseable {
        private final MachineServer server;
        private final CompletableFuture<ExitCode> run;

        InProcessWorker(MachineServer server) {
            this.server = server;
            this.run = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
        }

        public MachineServer server() {
            return server;
        }

        /** How the run ended: an exit code, or the WorkerException it threw. */
        public CompletableFuture<ExitCode> run() {
            return run;
        }

        @Override
        public void close() {
            server.requestStop();
            server.requestStop();
            run.handle((code, error) -> code).join();
        }
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                // Best effort: the next one must still be stopped.
            }
        }
        model.close();
        convex.close();
    }
}
