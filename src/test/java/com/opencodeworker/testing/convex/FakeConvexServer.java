package com.opencodeworker.testing.convex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.opencodeworker.infrastructure.convex.client.ClientMessage;
import com.opencodeworker.infrastructure.convex.client.ConvexValues;
import com.opencodeworker.infrastructure.convex.client.ServerMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * An in-process Convex deployment that speaks the real wire protocol: the HTTP function API and the
 * WebSocket sync protocol on 127.0.0.1 (port 0), with reactive queries, ordered exactly-once
 * mutations per (sessionId, requestId), pings and injectable faults. All state, and every function
 * handler, runs under one lock ({@code this.lock}), so stores used by handlers need no locking.
 */
public final class FakeConvexServer implements FakeFunctionRegistry, AutoCloseable {
    private static final Pattern SYNC_PATH = Pattern.compile("^/api/(\\d+\\.\\d+\\.\\d+[^/]*/)?sync$");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    final Object lock = new Object();
    private final MockWebServer server = new MockWebServer();
    private final ScheduledExecutorService timer;

    // All fields below are guarded by lock.
    private final Map<String, FakeFunction> queries = new HashMap<>();
    private final Map<String, FakeFunction> mutations = new HashMap<>();
    private final Map<String, FakeFunction> actions = new HashMap<>();
    private final List<FakeConvexServerSocket> sockets = new ArrayList<>();
    private final Map<String, StoredMutation> committedMutations = new HashMap<>();
    private final Map<String, Integer> executions = new HashMap<>();
    private final Map<String, MutationDrop> mutationDrops = new HashMap<>();
    private final List<String> clientVersions = new ArrayList<>();
    private int connectionCount;
    private long lastTs;
    private long currentTs;
    private Duration transitionDelay = Duration.ZERO;
    private boolean silent;
    private boolean down;
    private int httpFailStatus;
    private int httpFailTimes;
    private Duration pingInterval = Duration.ofSeconds(15);
    private ScheduledFuture<?> pingTask;

    private FakeConvexServer() {
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "fake-convex-timer");
            thread.setDaemon(true);
            return thread;
        });
        currentTs = nextTs();
    }

    /** Starts a server on 127.0.0.1 with a free port. */
    public static FakeConvexServer start() {
        FakeConvexServer fake = new FakeConvexServer();
        fake.server.setDispatcher(fake.new Router());
        try {
            fake.server.start(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake Convex server", e);
        }
        synchronized (fake.lock) {
            fake.schedulePings();
        }
        return fake;
    }

    /** {@code http://127.0.0.1:<port>}, the deployment URL. */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    public void registerQuery(String path, FakeFunction f) {
        synchronized (lock) {
            queries.put(path, f);
        }
    }

    public void registerMutation(String path, FakeFunction f) {
        synchronized (lock) {
            mutations.put(path, f);
        }
    }

    public void registerAction(String path, FakeFunction f) {
        synchronized (lock) {
            actions.put(path, f);
        }
    }

    /** Runs {@code change} under the server's lock as a commit, then re-runs subscribed queries everywhere. */
    public void update(Runnable change) {
        synchronized (lock) {
            change.run();
            currentTs = nextTs();
            refreshAll();
        }
    }

    // ---- faults ----

    /** Closes every socket with 1011 "InternalServerError". */
    public void dropAllSockets() {
        closeAllSockets(1011, "InternalServerError");
    }

    public void closeAllSockets(int code, String reason) {
        synchronized (lock) {
            for (FakeConvexServerSocket socket : List.copyOf(sockets)) {
                socket.drop(code, reason);
            }
        }
    }

    /** Holds back every Transition by {@code delay} (mutations stay unresolved meanwhile). */
    public void setTransitionDelay(Duration delay) {
        synchronized (lock) {
            transitionDelay = delay;
        }
    }

    /** Sends nothing at all (no Transition, Ping or response) while keeping the sockets open. */
    public void setSilent(boolean silent) {
        synchronized (lock) {
            this.silent = silent;
            if (!silent) {
                refreshAll();
            }
        }
    }

    /** Refuses everything: HTTP 503, upgrades refused, open sockets dropped. */
    public void setDown(boolean down) {
        synchronized (lock) {
            this.down = down;
            if (down) {
                for (FakeConvexServerSocket socket : List.copyOf(sockets)) {
                    socket.drop(1011, "InternalServerError");
                }
            }
        }
    }

    /** The next {@code times} HTTP function calls answer {@code status} with {@code {code,message}}. */
    public void failHttp(int status, int times) {
        synchronized (lock) {
            httpFailStatus = status;
            httpFailTimes = times;
        }
    }

    /**
     * The next {@code times} mutations of {@code path} drop their socket (1011) either before running
     * or after committing but before answering.
     */
    public void dropSocketOnMutation(String path, int times, boolean afterCommit) {
        synchronized (lock) {
            mutationDrops.put(path, new MutationDrop(times, afterCommit));
        }
    }

    public void setPingInterval(Duration interval) {
        synchronized (lock) {
            pingInterval = interval;
            schedulePings();
        }
    }

    /** Sends {@code FatalError{error}} on every socket and closes them, as the backend does for a bad request. */
    public void sendFatalError(String error) {
        synchronized (lock) {
            for (FakeConvexServerSocket socket : List.copyOf(sockets)) {
                socket.fail(error);
            }
        }
    }

    /** Sends every socket a Transition whose startVersion does not chain (a protocol violation). */
    public void sendUnchainedTransition() {
        synchronized (lock) {
            for (FakeConvexServerSocket socket : List.copyOf(sockets)) {
                socket.sendUnchainedTransition();
            }
        }
    }

    // ---- observation ----

    /** WebSocket connections accepted so far. */
    public int connectionCount() {
        synchronized (lock) {
            return connectionCount;
        }
    }

    public int openSocketCount() {
        synchronized (lock) {
            return sockets.size();
        }
    }

    /** Times a function body actually ran (replays are not counted). */
    public int executions(String path) {
        synchronized (lock) {
            return executions.getOrDefault(path, 0);
        }
    }

    /** Convex-Client headers seen, one per HTTP call or upgrade. */
    public List<String> clientVersions() {
        synchronized (lock) {
            return List.copyOf(clientVersions);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            for (FakeConvexServerSocket socket : List.copyOf(sockets)) {
                socket.shutdown();
            }
            sockets.clear();
        }
        timer.shutdownNow();
        server.close();
    }

    // ---- used by sockets, always under lock ----

    boolean silent() {
        return silent;
    }

    long currentTs() {
        return currentTs;
    }

    void socketOpened(FakeConvexServerSocket socket) {
        sockets.add(socket);
    }

    void socketGone(FakeConvexServerSocket socket) {
        sockets.remove(socket);
    }

    Optional<FakeFunction> query(String path) {
        return Optional.ofNullable(queries.get(path));
    }

    /** Schedules a Transition for {@code socket}, after the configured delay. */
    void scheduleTransition(FakeConvexServerSocket socket) {
        if (transitionDelay.isZero()) {
            socket.sendTransition();
            return;
        }
        timer.schedule(() -> {
            synchronized (lock) {
                socket.sendTransition();
            }
        }, transitionDelay.toMillis(), TimeUnit.MILLISECONDS);
    }

    void refreshAll() {
        for (FakeConvexServerSocket socket : List.copyOf(sockets)) {
            scheduleTransition(socket);
        }
    }

    /** Runs a function body, counting the execution. */
    Outcome run(String path, FakeFunction function, ObjectNode args) {
        executions.merge(path, 1, Integer::sum);
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> decoded = (Map<String, Object>) ConvexValues.fromJson(args);
            return Outcome.success(ConvexValues.toJson(function.handle(decoded)));
        } catch (FakeConvexError e) {
            return Outcome.failure("[Request ID: fake] Server Error\nUncaught ConvexError: " + e.getMessage(),
                    ConvexValues.toJson(e.data()));
        } catch (RuntimeException e) {
            return Outcome.failure("[Request ID: fake] Server Error\nUncaught Error: " + e.getMessage(), null);
        }
    }

    void handleMutation(FakeConvexServerSocket socket, ClientMessage.Mutation mutation) {
        String key = socket.sessionId() == null ? null : socket.sessionId() + "/" + mutation.requestId();
        StoredMutation stored = key == null ? null : committedMutations.get(key);
        if (stored != null) {
            socket.send(new ServerMessage.MutationResponse(mutation.requestId(), true, stored.result(),
                    Optional.of(stored.ts()), List.of(), Optional.empty()));
            scheduleTransition(socket);
            return;
        }
        MutationDrop drop = mutationDrops.get(mutation.udfPath());
        boolean dropAfterCommit = false;
        if (drop != null && drop.times > 0) {
            drop.times--;
            if (!drop.afterCommit) {
                socket.drop(1011, "InternalServerError");
                return;
            }
            dropAfterCommit = true;
        }
        FakeFunction function = mutations.get(mutation.udfPath());
        Outcome outcome = function == null ? missing(mutation.udfPath()) : run(mutation.udfPath(), function, mutation.args());
        if (outcome.success()) {
            currentTs = nextTs();
            if (key != null) {
                committedMutations.put(key, new StoredMutation(outcome.value(), currentTs));
            }
        }
        if (dropAfterCommit) {
            socket.drop(1011, "InternalServerError");
            refreshAll();
            return;
        }
        if (outcome.success()) {
            socket.send(new ServerMessage.MutationResponse(mutation.requestId(), true, outcome.value(),
                    Optional.of(currentTs), List.of(), Optional.empty()));
        } else {
            socket.send(new ServerMessage.MutationResponse(mutation.requestId(), false, NODES.textNode(outcome.errorMessage()),
                    Optional.empty(), List.of(), Optional.ofNullable(outcome.errorData())));
        }
        refreshAll();
    }

    void handleAction(FakeConvexServerSocket socket, ClientMessage.Action action) {
        FakeFunction function = actions.get(action.udfPath());
        Outcome outcome = function == null ? missing(action.udfPath()) : run(action.udfPath(), function, action.args());
        socket.send(new ServerMessage.ActionResponse(action.requestId(), outcome.success(),
                outcome.success() ? outcome.value() : NODES.textNode(outcome.errorMessage()), List.of(),
                Optional.ofNullable(outcome.errorData())));
        refreshAll();
    }

    static Outcome missing(String path) {
        return Outcome.failure("[Request ID: fake] Server Error\nCould not find public function for '" + path + "'.", null);
    }

    private long nextTs() {
        long now = System.currentTimeMillis() * 1_000_000L;
        lastTs = Math.max(lastTs + 1, now);
        return lastTs;
    }

    private void schedulePings() {
        if (pingTask != null) {
            pingTask.cancel(false);
        }
        long period = Math.max(10, Math.min(pingInterval.toMillis() / 4, 1000));
        long intervalNanos = pingInterval.toNanos();
        pingTask = timer.scheduleAtFixedRate(() -> {
            synchronized (lock) {
                for (FakeConvexServerSocket socket : List.copyOf(sockets)) {
                    socket.pingIfIdle(intervalNanos);
                }
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    private MockResponse http(RecordedRequest request, String kind) {
        synchronized (lock) {
            if (down) {
                return error(503, "ServiceUnavailable", "the fake deployment is down");
            }
            if (httpFailTimes > 0) {
                httpFailTimes--;
                return error(httpFailStatus, httpFailStatus >= 500 ? "InternalServerError" : "BadRequest",
                        "injected failure");
            }
            JsonNode body;
            try {
                body = MAPPER.readTree(request.getBody() == null ? "" : request.getBody().utf8());
            } catch (IOException e) {
                return error(400, "BadJsonBody", "invalid JSON body");
            }
            if (body == null || !"convex_encoded_json".equals(body.path("format").asText())) {
                return error(400, "BadFormat", "the fake needs format convex_encoded_json");
            }
            JsonNode args = body.path("args");
            ObjectNode argsObject = args.isArray() && args.size() == 1 && args.get(0).isObject() ? (ObjectNode) args.get(0)
                    : args.isObject() ? (ObjectNode) args : null;
            if (argsObject == null) {
                return error(400, "BadArgs", "args must be one object");
            }
            String path = body.path("path").asText();
            Map<String, FakeFunction> registry = "query".equals(kind) ? queries : "mutation".equals(kind) ? mutations : actions;
            FakeFunction function = registry.get(path);
            Outcome outcome = function == null ? missing(path) : run(path, function, argsObject);
            if (!"query".equals(kind)) {
                if (outcome.success() && "mutation".equals(kind)) {
                    currentTs = nextTs();
                }
                refreshAll();
            }
            ObjectNode answer = NODES.objectNode();
            if (outcome.success()) {
                answer.put("status", "success");
                answer.set("value", outcome.value());
            } else {
                answer.put("status", "error");
                answer.put("errorMessage", outcome.errorMessage());
                if (outcome.errorData() != null) {
                    answer.set("errorData", outcome.errorData());
                }
            }
            return json(200, answer);
        }
    }

    private static MockResponse error(int status, String code, String message) {
        ObjectNode body = NODES.objectNode();
        body.put("code", code);
        body.put("message", message);
        return json(status, body);
    }

    private static MockResponse json(int status, JsonNode body) {
        return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json")
                .body(body.toString()).build();
    }

    /** A function's result: a Convex-encoded value, or an error message with optional ConvexError data. */
    record Outcome(boolean success, JsonNode value, String errorMessage, JsonNode errorData) {
        static Outcome success(JsonNode value) {
            return new Outcome(true, value, null, null);
        }

        static Outcome failure(String message, JsonNode data) {
            return new Outcome(false, null, message, data);
        }
    }

    private record StoredMutation(JsonNode result, long ts) {
    }

    private static final class MutationDrop {
        int times;
        final boolean afterCommit;

        MutationDrop(int times, boolean afterCommit) {
            this.times = times;
            this.afterCommit = afterCommit;
        }
    }

    /** Routes HTTP calls and sync upgrades. */
    private final class Router extends Dispatcher {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getUrl().encodedPath();
            String clientVersion = request.getHeaders().get("Convex-Client");
            synchronized (lock) {
                if (clientVersion != null) {
                    clientVersions.add(clientVersion);
                }
            }
            if (SYNC_PATH.matcher(path).matches() && "websocket".equalsIgnoreCase(request.getHeaders().get("Upgrade"))) {
                synchronized (lock) {
                    if (down) {
                        return error(503, "ServiceUnavailable", "the fake deployment is down");
                    }
                    connectionCount++;
                    return new MockResponse.Builder().webSocketUpgrade(new FakeConvexServerSocket(FakeConvexServer.this)).build();
                }
            }
            if ("POST".equals(request.getMethod()) && path.matches("^/api/(query|mutation|action)$")) {
                return http(request, path.substring("/api/".length()));
            }
            return error(404, "NotFound", "no route for " + request.getMethod() + " " + path);
        }
    }
}
