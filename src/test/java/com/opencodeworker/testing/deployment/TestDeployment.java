package com.opencodeworker.testing.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The project's real Convex functions on the Node test deployment ({@code webapp/test-deployment},
 * started as {@code node test-deployment/cli.mjs}): the deployment URL and a seeded access key,
 * calls of its public functions over Convex's HTTP API, and its control channel (faults, counters,
 * records, tables). Closing it stops the Node process.
 */
public final class TestDeployment implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final MediaType JSON = MediaType.get("application/json");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path log;
    private final String url;
    private final String controlUrl;
    private final String accessKey;
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

    private TestDeployment(Process process, Path log, Map<String, String> announced) {
        this.process = process;
        this.log = log;
        this.url = announced.get("READY");
        this.controlUrl = announced.get("CONTROL");
        this.accessKey = announced.get("ACCESS_KEY");
    }

    /** Options of the deployment: its environment variables as the functions read them. */
    public record Options(Duration heartbeatInterval, Duration lease) {
        public static Options defaults() {
            return new Options(null, null);
        }
    }

    public static TestDeployment start() {
        return start(Options.defaults());
    }

    /** Starts the deployment with the project's functions and a seeded access key; waits for READY. */
    public static TestDeployment start(Options options) {
        Path webapp = webappDirectory();
        List<String> command = new ArrayList<>(List.of(nodeBinary(), "test-deployment/cli.mjs", "--port", "0",
                "--seed-access-key", "--exit-with-stdin"));
        if (options.heartbeatInterval() != null) {
            command.addAll(List.of("--heartbeat-interval-ms", Long.toString(options.heartbeatInterval().toMillis())));
        }
        if (options.lease() != null) {
            command.addAll(List.of("--lease-ms", Long.toString(options.lease().toMillis())));
        }
        try {
            Path log = Files.createTempFile("test-deployment-", ".log");
            Process process = new ProcessBuilder(command).directory(webapp.toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            CompletableFuture<Map<String, String>> ready = CompletableFuture.supplyAsync(() -> announced(process));
            try {
                return new TestDeployment(process, log, ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            } catch (ExecutionException | TimeoutException e) {
                stop(process);
                throw new IllegalStateException("the test deployment did not start in " + webapp + ": "
                        + e.getMessage() + "\n" + Files.readString(log), e);
            } catch (InterruptedException e) {
                stop(process);
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node test-deployment/cli.mjs in " + webapp, e);
        }
    }

    /** Reads the lines printed before {@code READY <url>}; what follows READY is drained in the background. */
    private static Map<String, String> announced(Process process) {
        Map<String, String> values = new LinkedHashMap<>();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        try {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                int space = line.indexOf(' ');
                if (space > 0) {
                    values.put(line.substring(0, space), line.substring(space + 1).trim());
                }
                if (line.startsWith("READY ")) {
                    Thread drain = new Thread(() -> out.lines().forEach(ignored -> { }), "test-deployment-stdout");
                    drain.setDaemon(true);
                    drain.start();
                    return values;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("the test deployment exited before READY");
    }

    /** {@code webapp/} of the project: from the {@code project.basedir} property surefire sets, else the working directory. */
    static Path webappDirectory() {
        Path base = Path.of(System.getProperty("project.basedir", System.getProperty("user.dir")));
        Path webapp = base.resolve("webapp");
        if (!Files.isRegularFile(webapp.resolve("test-deployment/cli.mjs"))
                || !Files.isDirectory(webapp.resolve("node_modules"))) {
            throw new AssertionError("No installed web app in " + webapp + " (its npm packages are installed by"
                    + " ./mvnw; or run npm ci there)");
        }
        return webapp;
    }

    private static String nodeBinary() {
        return System.getProperty("node.bin", "node");
    }

    public String url() {
        return url;
    }

    /** The access key seeded at start ({@code access:createKey}). */
    public String accessKey() {
        return accessKey;
    }

    // ---- public functions over the HTTP API ----

    /** Calls a public query or mutation as a client does; a function error is a {@link FunctionError}. */
    public Object call(String kind, String path, Map<String, ?> args) {
        ObjectNode body = MAPPER.createObjectNode().put("path", path).put("format", "convex_encoded_json");
        body.putArray("args").add(ConvexJson.encode(args));
        JsonNode answer = post(url + "/api/" + kind, body, Map.of("Convex-Client", "java-test-0.1.0"));
        return unwrap(path, answer);
    }

    public Object query(String path, Map<String, ?> args) {
        return call("query", path, args);
    }

    public Object mutation(String path, Map<String, ?> args) {
        return call("mutation", path, args);
    }

    /** Runs any function, internal ones included, through the control channel (works while down). */
    public Object run(String path, Map<String, ?> args) {
        ObjectNode body = MAPPER.createObjectNode().put("path", path);
        body.set("args", ConvexJson.encode(args));
        return unwrap(path, post(controlUrl + "/_test/run", body, Map.of()));
    }

    private static Object unwrap(String path, JsonNode answer) {
        if ("success".equals(answer.path("status").asText())) {
            return ConvexJson.decode(answer.get("value"));
        }
        throw new FunctionError(path, answer.path("errorMessage").asText(), ConvexJson.decode(answer.get("errorData")));
    }

    /** A function's error as Convex reports it; {@code data} is the ConvexError data, or null. */
    public static final class FunctionError extends RuntimeException {
        private final transient Object data;

        FunctionError(String path, String message, Object data) {
            super(path + ": " + message);
            this.data = data;
        }

        public Object data() {
            return data;
        }

        /** {@code data.code}, or null. */
        public String code() {
            return data instanceof Map<?, ?> map && map.get("code") instanceof String code ? code : null;
        }
    }

    // ---- faults ----

    /** Closes every sync socket with 1011 "InternalServerError". */
    public void dropAllSockets() {
        closeAllSockets(1011, "InternalServerError");
    }

    public void closeAllSockets(int code, String reason) {
        control("/_test/drop-sockets", Map.of("code", code, "reason", reason));
    }

    /** Holds back every Transition (and so every MutationResponse behind it) by {@code delay}. */
    public void setTransitionDelay(Duration delay) {
        control("/_test/transition-delay", Map.of("ms", delay.toMillis()));
    }

    /** Sends nothing at all (no Transition, response or Ping) while keeping the sockets open. */
    public void setSilent(boolean silent) {
        control("/_test/silent", Map.of("silent", silent));
    }

    /** Refuses connections on the deployment's port and cuts the open ones; the control channel stays. */
    public void setDown(boolean down) {
        control("/_test/down", Map.of("down", down));
    }

    /** The next {@code times} HTTP function calls answer {@code status}. */
    public void failHttp(int status, int times) {
        control("/_test/fail-http", Map.of("status", status, "times", times));
    }

    /** The next {@code times} WebSocket mutations of {@code path} drop their socket, before running or after committing. */
    public void dropSocketOnMutation(String path, int times, boolean afterCommit) {
        control("/_test/drop-on-mutation", Map.of("path", path, "times", times, "afterCommit", afterCommit));
    }

    public void setPingInterval(Duration interval) {
        control("/_test/ping-interval", Map.of("ms", interval.toMillis()));
    }

    /** Sends FatalError on every socket and closes them. */
    public void sendFatalError(String error) {
        control("/_test/fatal-error", Map.of("error", error));
    }

    public void sendUnchainedTransition() {
        control("/_test/unchained-transition", Map.of());
    }

    /** From now on client reads of query {@code path} get {@code items} before its real (array) result. */
    public void prefixQuery(String path, List<? extends Map<String, ?>> items) {
        ObjectNode body = MAPPER.createObjectNode().put("path", path);
        body.set("items", ConvexJson.encode(items));
        post(controlUrl + "/_test/query-prefix", body, Map.of());
    }

    /** Sets environment variables of the deployment (what {@code process.env} shows the functions). */
    public void setEnvironment(Map<String, String> variables) {
        control("/_test/env", variables);
    }

    // ---- observation ----

    private JsonNode state() {
        return get("/_test/state");
    }

    /** WebSocket connections accepted so far. */
    public int connectionCount() {
        return state().path("connections").asInt();
    }

    public int openSocketCount() {
        return state().path("openSockets").asInt();
    }

    /** Times a function body ran (replayed mutations are not counted). */
    public int executions(String path) {
        return state().path("executions").path(path).asInt(0);
    }

    /** Convex-Client versions seen, one per HTTP call or upgrade. */
    public List<String> clientVersions() {
        List<String> versions = new ArrayList<>();
        state().path("clientVersions").forEach(v -> versions.add(v.asText()));
        return versions;
    }

    /** Every document of {@code table}. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> table(String table) {
        return (List<Map<String, Object>>) ConvexJson.decode(get("/_test/tables/" + table));
    }

    /**
     * One write call of a client (mutations and actions), in order. {@code outcome} is "ok", an error code or "error";
     * {@code startedAtMillis} and {@code atMillis} are the deployment's clock when the function began to run and
     * when it ended (epoch milliseconds).
     */
    public record Call(long seq, String function, String instanceId, String messageId, String outcome,
                       long startedAtMillis, long atMillis) {
    }

    public List<Call> calls() {
        List<Call> calls = new ArrayList<>();
        get("/_test/calls").forEach(c -> calls.add(new Call(c.path("seq").asLong(), c.path("function").asText(),
                c.path("instanceId").textValue(), c.path("messageId").textValue(), c.path("outcome").asText(),
                c.path("startedAt").asLong(), c.path("at").asLong())));
        return calls;
    }

    /**
     * A change of a message's status seen after a commit ({@code from} null for a new message); {@code atMillis} is
     * the deployment's clock then (epoch milliseconds).
     */
    public record StatusChange(long seq, String id, String from, String to, long atMillis) {
    }

    public List<StatusChange> statusChanges() {
        List<StatusChange> changes = new ArrayList<>();
        get("/_test/changes").forEach(c -> changes.add(new StatusChange(c.path("seq").asLong(), c.path("id").asText(),
                c.path("from").textValue(), c.path("to").textValue(), c.path("at").asLong())));
        return changes;
    }

    // ---- plumbing ----

    private void control(String path, Map<String, ?> body) {
        post(controlUrl + path, MAPPER.valueToTree(body), Map.of());
    }

    private JsonNode get(String path) {
        return send(new Request.Builder().url(controlUrl + path).get().build());
    }

    private JsonNode post(String target, JsonNode body, Map<String, String> headers) {
        Request.Builder request = new Request.Builder().url(target).post(RequestBody.create(body.toString(), JSON));
        headers.forEach(request::header);
        return send(request.build());
    }

    private JsonNode send(Request request) {
        try (Response response = http.newCall(request).execute()) {
            String text = response.body().string();
            if (!response.isSuccessful()) {
                throw new IllegalStateException(request.url() + " answered " + response.code() + ": " + text);
            }
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("test deployment: " + request.url(), e);
        }
    }

    /** The deployment's stderr so far, for failure messages. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stop(process);
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // A leftover temporary file is harmless.
        }
    }

    private static void stop(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
