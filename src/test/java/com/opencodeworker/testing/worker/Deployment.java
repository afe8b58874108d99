package com.opencodeworker.testing.worker;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.domain.PermissionPolicy;
import com.opencodeworker.domain.ProcessMode;
import com.opencodeworker.infrastructure.config.WorkerConfig;
import com.opencodeworker.infrastructure.opencode.OpenCodeOptions;
import com.opencodeworker.presentation.MachineServer;
import com.opencodeworker.presentation.WorkerWiring;
import com.opencodeworker.testing.deployment.TestDeployment;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * Everything an end-to-end test runs against: the project's real Convex functions on the Node test
 * deployment (real protocol, real sockets), a fake model server, the real {@code opencode} binary, a
 * root directory and an isolated OpenCode home. Set-up goes through the web app's public functions
 * with the seeded access key, as a user of the web app would; assertions read the deployment's own
 * answers and records. Starts workers in this JVM or as separate processes.
 */
public final class Deployment implements AutoCloseable {
    private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");

    private final Path base;
    private final TestDeployment convex;
    private final FakeModelServer model = FakeModelServer.start();
    private final Path root;
    private final Path home;
    private final String token;
    private final String machineId;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Map<String, String> sessionOfMessage = new ConcurrentHashMap<>();
    private final Map<String, String> workerOfSession = new ConcurrentHashMap<>();

    public Deployment(Path base) {
        this(base, TestDeployment.Options.defaults());
    }

    public Deployment(Path base, TestDeployment.Options options) {
        this.base = base;
        try {
            this.root = Files.createDirectories(base.resolve("root")).toRealPath();
            this.home = Files.createDirectories(base.resolve("home")).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.convex = TestDeployment.start(options);
        convex.setPingInterval(Duration.ofSeconds(1));
        Map<?, ?> created = (Map<?, ?>) webApp("mutation", "machines:create", Map.of("name", "Test machine"));
        this.token = (String) created.get("token");
        this.machineId = (String) created.get("machineId");
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

    /** Calls a public function of the web app's side with the seeded access key. */
    public Object webApp(String kind, String path, Map<String, ?> args) {
        Map<String, Object> withKey = new HashMap<>(args);
        withKey.put("accessKey", convex.accessKey());
        return convex.call(kind, path, withKey);
    }

    /** Reads through a public query of the web app, over the control channel so that it works while the port is down. */
    private Object read(String path, Map<String, ?> args) {
        Map<String, Object> withKey = new HashMap<>(args);
        withKey.put("accessKey", convex.accessKey());
        return convex.run(path, withKey);
    }

    public TestDeployment convex() {
        return convex;
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

    public String machineId() {
        return machineId;
    }

    /** The config file the workers of this deployment use. */
    public Path configFile() {
        return base.resolve("worker-config.json");
    }

    /** From now on {@code messages:work} also answers these raw items, first (malformed ones included). */
    public void addToWork(List<Map<String, Object>> rawItems) {
        convex.prefixQuery("messages:work", rawItems);
    }

    /** Creates the directory under the root (when it can) and a worker bound to it, named after it. */
    public String createWorker(String directory) {
        try {
            Files.createDirectories(root.resolve(directory));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return createWorkerOnly(directory);
    }

    /** A worker for {@code directory} as the web app creates it, without touching the disk. */
    public String createWorkerOnly(String directory) {
        return (String) webApp("mutation", "workers:create", Map.of("machineId", machineId, "name", directory,
                "directory", directory));
    }

    public String createSession(String workerId) {
        Map<String, Object> args = new HashMap<>();
        args.put("workerId", workerId);
        args.put("title", null);
        String session = (String) webApp("mutation", "sessions:create", args);
        workerOfSession.put(session, workerId);
        return session;
    }

    public String send(String sessionId, String text) {
        return send(sessionId, text, null);
    }

    public String send(String sessionId, String text, String model) {
        Map<String, Object> args = new HashMap<>();
        args.put("sessionId", sessionId);
        args.put("content", text);
        args.put("model", model);
        String id = (String) webApp("mutation", "messages:send", args);
        sessionOfMessage.put(id, sessionId);
        return id;
    }

    /** The stop button of the web app. */
    public void cancel(String messageId) {
        webApp("mutation", "messages:cancel", Map.of("messageId", messageId));
    }

    /**
     * A message as the web app shows it ({@code messages:list}), with every terminal status it
     * reached (from the deployment's record of status changes) and the instance that claimed it last.
     */
    public record MessageView(String messageId, String status, int attempt, boolean cancelRequested, String content,
                              String error, Boolean retryable, Object usage, List<String> terminalOutcomes,
                              String claimedBy) {
    }

    public MessageView message(String messageId) {
        String session = sessionOfMessage.get(messageId);
        if (session == null) {
            throw new IllegalArgumentException("not a message sent through this deployment: " + messageId);
        }
        Map<String, Object> pagination = new HashMap<>();
        pagination.put("numItems", 200);
        pagination.put("cursor", null);
        Map<?, ?> page = (Map<?, ?>) read("messages:list", Map.of("sessionId", session, "paginationOpts", pagination));
        Map<?, ?> view = ((List<?>) page.get("page")).stream().map(m -> (Map<?, ?>) m)
                .filter(m -> messageId.equals(m.get("messageId"))).findFirst()
                .orElseThrow(() -> new AssertionError("messages:list does not show " + messageId));
        Map<?, ?> reply = (Map<?, ?>) view.get("reply");
        List<String> terminal = convex.statusChanges().stream()
                .filter(c -> c.id().equals(messageId) && TERMINAL.contains(c.to()))
                .map(TestDeployment.StatusChange::to).toList();
        String claimedBy = calls().stream().filter(c -> c.function().equals("messages:claim")
                && messageId.equals(c.messageId()) && c.outcome().equals("ok")).reduce((a, b) -> b)
                .map(TestDeployment.Call::instanceId).orElse(null);
        return new MessageView(messageId, (String) view.get("status"), ((Number) view.get("attempt")).intValue(),
                Boolean.TRUE.equals(view.get("cancelRequested")), reply == null ? null : (String) reply.get("content"),
                (String) view.get("error"), (Boolean) view.get("retryable"), reply == null ? null : reply.get("usage"),
                terminal, claimedBy);
    }

    /** The lease end of the message's claim, as its row in the {@code messages} table holds it. */
    public double leaseExpiresAt(String messageId) {
        Map<String, Object> row = convex.table("messages").stream()
                .filter(m -> messageId.equals(m.get("_id")) || messageId.equals(m.get("messageId"))).findFirst()
                .orElseThrow(() -> new AssertionError("no row of " + messageId + " in the messages table"));
        if (!(row.get("leaseExpiresAt") instanceof Number lease)) {
            throw new AssertionError("the row of " + messageId + " holds no lease: " + row.keySet());
        }
        return lease.doubleValue();
    }

    /** True once the message reached a terminal state. */
    public boolean ended(String messageId) {
        return TERMINAL.contains(message(messageId).status());
    }

    /** A streamed chunk of a reply. */
    public record ChunkView(int sequence, String kind, String text) {
    }

    /** Every chunk of the attempt, read by windows of 100 as the web app does. */
    public List<ChunkView> chunks(String messageId, int attempt) {
        List<ChunkView> chunks = new ArrayList<>();
        while (true) {
            List<?> window = (List<?>) read("messages:chunks", Map.of("messageId", messageId, "attempt", attempt,
                    "fromSequence", chunks.size()));
            for (Object item : window) {
                Map<?, ?> chunk = (Map<?, ?>) item;
                chunks.add(new ChunkView(((Number) chunk.get("sequence")).intValue(), (String) chunk.get("kind"),
                        (String) chunk.get("text")));
            }
            if (window.size() < 100) {
                return chunks;
            }
        }
    }

    /** The streamed text of the message's newest attempt. */
    public String streamedText(String messageId) {
        MessageView view = message(messageId);
        return chunks(messageId, view.attempt()).stream().filter(c -> c.kind().equals("text"))
                .map(ChunkView::text).collect(Collectors.joining());
    }

    /** Every write call a client made, in order. */
    public List<TestDeployment.Call> calls() {
        return convex.calls();
    }

    /** The successful calls of one function, in order. */
    public List<TestDeployment.Call> successfulCalls(String function) {
        return calls().stream().filter(c -> c.function().equals(function) && c.outcome().equals("ok")).toList();
    }

    /** How many appendChunks calls for the message succeeded. */
    public long appendCalls(String messageId) {
        return calls().stream().filter(c -> c.function().equals("messages:appendChunks")
                && messageId.equals(c.messageId()) && c.outcome().equals("ok")).count();
    }

    /** The session's status as {@code sessions:list} shows it. */
    public String sessionStatus(String sessionId) {
        List<?> sessions = (List<?>) read("sessions:list", Map.of("workerId", workerOfSession.get(sessionId)));
        return sessions.stream().map(s -> (Map<?, ?>) s).filter(s -> sessionId.equals(s.get("sessionId")))
                .map(s -> (String) s.get("status")).findFirst()
                .orElseThrow(() -> new AssertionError("sessions:list does not show " + sessionId));
    }

    /** The machine's status as {@code machines:list} shows it. */
    public String machineStatus() {
        List<?> machines = (List<?>) read("machines:list", Map.of());
        return machines.stream().map(m -> (Map<?, ?>) m).filter(m -> machineId.equals(m.get("machineId")))
                .map(m -> (String) m.get("status")).findFirst()
                .orElseThrow(() -> new AssertionError("machines:list does not show " + machineId));
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
        return new WorkerConfig(MachineToken.parse(token), convex.url(), root, configFile(), idleTimeout,
                Duration.ofSeconds(30), Optional.of(openCodeLauncher()), 8, shutdownGrace, PermissionPolicy.DEFAULT, false);
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
        return startWorker(config(idleTimeout, shutdownGrace), options -> options.withEventSilenceTimeout(Duration.ofSeconds(12)));
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
        return startProcess(token, configFile(), extraEnv, extraArgs);
    }

    /** A worker as a separate JVM with the given machine token. */
    public WorkerProcess startProcess(String machineToken, Map<String, String> extraEnv, String... extraArgs) {
        return startProcess(machineToken, configFile(), extraEnv, extraArgs);
    }

    /**
     * A worker as a separate JVM with a config file of its own, as on another host: one config file
     * runs one worker at a time.
     */
    public WorkerProcess startProcessAsAnotherHost(String... extraArgs) {
        return startProcess(token, base.resolve("other-host-config-" + started.size() + ".json"), Map.of(), extraArgs);
    }

    private WorkerProcess startProcess(String machineToken, Path config, Map<String, String> extraEnv,
            String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--token", machineToken, "--convex-url", convex.url(), "--root",
                root.toString(), "--config", config.toString(), "--opencode-bin", openCodeLauncher().toString()));
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

    /** Closes, then waits until no OpenCode process is left under the root: none may outlive the workers. */
    public void closeLeavingNoOpenCode() {
        close();
        Awaitility.await("no OpenCode process left under " + root).atMost(Duration.ofSeconds(30))
                .until(() -> ProcessProbe.openCodeUnder(root).isEmpty());
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
