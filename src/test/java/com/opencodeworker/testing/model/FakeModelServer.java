package com.opencodeworker.testing.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible model server on 127.0.0.1 for OpenCode in tests, scripted by the last user
 * text: plain text gets "Hello from fake model (user turns seen: N)" streamed in several chunks
 * (plus " [cwd: DIR]" when the system prompt names the working directory), {@code [[tool:NAME {json}]]}
 * gets one tool call, a tool result gets "Tool result seen: ...", {@code [[slow]]} gets 40 chunks
 * with {@link #setSlowDelay}, and a title request gets "Fake title". Test controls: {@link #failNext},
 * {@link #holdStreams()} / {@link #release()}, {@link #requests()}. All mutable state is guarded by this.
 */
public final class FakeModelServer implements AutoCloseable {
    public static final String PROVIDER = "fake";
    public static final String MODEL = "fake-model";
    public static final String SLOW = "[[slow]]";
    public static final int SLOW_CHUNKS = 40;

    /** How many of a slow reply's chunks {@code text} holds. */
    public static int ticks(String text) {
        return text.split("tick", -1).length - 1;
    }
    private static final int MAX_LOGGED_REQUESTS = 1000;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicInteger ids = new AtomicInteger();
    private final List<JsonNode> requests = new ArrayList<>();
    private final List<Integer> failures = new ArrayList<>();
    private Duration chunkDelay = Duration.ofMillis(10);
    private Duration slowDelay = Duration.ofMillis(150);
    private CountDownLatch hold = new CountDownLatch(0);
    private CountDownLatch holding = new CountDownLatch(1);

    private FakeModelServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts on 127.0.0.1, on a free port. */
    public static FakeModelServer start() {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ExecutorService executor = Executors.newCachedThreadPool(task -> {
                Thread thread = new Thread(task, "fake-model");
                thread.setDaemon(true);
                return thread;
            });
            FakeModelServer fake = new FakeModelServer(http, executor);
            http.createContext("/", fake::handle);
            http.setExecutor(executor);
            http.start();
            return fake;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base URL OpenCode's provider uses, ending in {@code /v1}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** {@code OPENCODE_CONFIG_CONTENT} with the provider {@code fake} and {@code fake/fake-model} as the default model. */
    public String openCodeConfigJson() {
        ObjectNode config = json.createObjectNode();
        config.put("autoupdate", false);
        config.put("share", "disabled");
        ObjectNode provider = config.putObject("provider").putObject(PROVIDER);
        provider.put("npm", "@ai-sdk/openai-compatible");
        provider.put("name", "Fake OpenAI");
        provider.putObject("options").put("baseURL", url()).put("apiKey", "sk-fake");
        ObjectNode model = provider.putObject("models").putObject(MODEL);
        model.put("name", "Fake Model");
        model.put("tool_call", true);
        model.putObject("limit").put("context", 32000).put("output", 4000);
        config.put("model", PROVIDER + "/" + MODEL);
        config.put("small_model", PROVIDER + "/" + MODEL);
        return config.toString();
    }

    /** {@link #isolatedEnv} plus {@code OPENCODE_CONFIG_CONTENT} pointing at this server. */
    public Map<String, String> environment(Path home) {
        Map<String, String> environment = new HashMap<>(isolatedEnv(home));
        environment.put("OPENCODE_CONFIG_CONTENT", openCodeConfigJson());
        return environment;
    }

    /** Keeps OpenCode's data under {@code home} and stops its background plugin install. */
    public static Map<String, String> isolatedEnv(Path home) {
        return Map.of(
                "HOME", home.toString(),
                "XDG_DATA_HOME", home.resolve("data").toString(),
                "XDG_CONFIG_HOME", home.resolve("config").toString(),
                "XDG_STATE_HOME", home.resolve("state").toString(),
                "XDG_CACHE_HOME", home.resolve("cache").toString(),
                "npm_config_registry", "http://127.0.0.1:9/");
    }

    /** The next chat request is answered with {@code status} and an OpenAI-style error body. */
    public synchronized void failNext(int status) {
        failures.add(status);
    }

    public synchronized void setChunkDelay(Duration delay) {
        chunkDelay = delay;
    }

    public synchronized void setSlowDelay(Duration delay) {
        slowDelay = delay;
    }

    /** From now on, streams stop after their first text chunk until {@link #release()}. */
    public synchronized void holdStreams() {
        hold = new CountDownLatch(1);
        holding = new CountDownLatch(1);
    }

    /** Waits until a stream is held after its first text chunk. */
    public boolean awaitHolding(Duration timeout) throws InterruptedException {
        CountDownLatch latch;
        synchronized (this) {
            latch = holding;
        }
        return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void release() {
        CountDownLatch latch;
        synchronized (this) {
            latch = hold;
        }
        latch.countDown();
    }

    /** Every request body received, oldest first (at most the last 1000). */
    public synchronized List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    /** The chat requests that asked for a reply to a user (not title requests). */
    public List<JsonNode> chatRequests() {
        return requests().stream().filter(body -> body.path("tools").size() > 0).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if ("GET".equals(exchange.getRequestMethod()) && path.endsWith("/models")) {
                ObjectNode list = json.createObjectNode().put("object", "list");
                list.putArray("data").addObject().put("id", MODEL).put("object", "model").put("owned_by", "fake");
                sendJson(exchange, 200, list);
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod()) || !path.endsWith("/chat/completions")) {
                sendJson(exchange, 404, error("not found"));
                return;
            }
            JsonNode body = json.readTree(exchange.getRequestBody());
            Integer failure = record(body);
            if (failure != null) {
                sendJson(exchange, failure, error("fake failure " + failure));
                return;
            }
            ReplyPlan plan = ReplyPlan.of(body);
            if (body.path("stream").asBoolean(false)) {
                stream(exchange, plan, body);
            } else {
                sendJson(exchange, 200, plain(plan, body));
            }
        } catch (IOException e) {
            // the client went away (abort): nothing to answer
        }
    }

    private synchronized Integer record(JsonNode body) {
        if (requests.size() == MAX_LOGGED_REQUESTS) {
            requests.remove(0);
        }
        requests.add(body);
        return failures.isEmpty() ? null : failures.remove(0);
    }

    private static void sendJson(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private ObjectNode error(String message) {
        ObjectNode error = json.createObjectNode();
        error.putObject("error").put("message", message).put("type", "fake_error");
        return error;
    }

    private ObjectNode plain(ReplyPlan plan, JsonNode body) {
        ObjectNode answer = json.createObjectNode().put("id", "chatcmpl-" + ids.incrementAndGet())
                .put("object", "chat.completion").put("model", body.path("model").asText(MODEL));
        ObjectNode choice = answer.putArray("choices").addObject().put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        if (plan.tool() != null) {
            message.putNull("content");
            ObjectNode call = message.putArray("tool_calls").addObject().put("id", "call-" + ids.incrementAndGet())
                    .put("type", "function");
            call.putObject("function").put("name", plan.tool()).put("arguments", plan.arguments());
            choice.put("finish_reason", "tool_calls");
        } else {
            message.put("content", String.join("", plan.chunks()));
            choice.put("finish_reason", "stop");
        }
        answer.set("usage", usage());
        return answer;
    }

    private ObjectNode usage() {
        return json.createObjectNode().put("prompt_tokens", 10).put("completion_tokens", 5).put("total_tokens", 15);
    }

    private void stream(HttpExchange exchange, ReplyPlan plan, JsonNode body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        String id = "chatcmpl-" + ids.incrementAndGet();
        String model = body.path("model").asText(MODEL);
        Duration delay;
        CountDownLatch held;
        CountDownLatch heldSignal;
        synchronized (this) {
            delay = plan.slow() ? slowDelay : chunkDelay;
            held = hold;
            heldSignal = holding;
        }
        if (plan.tool() != null) {
            ObjectNode delta = json.createObjectNode().put("role", "assistant").putNull("content");
            ObjectNode call = delta.putArray("tool_calls").addObject().put("index", 0)
                    .put("id", "call-" + ids.incrementAndGet()).put("type", "function");
            call.putObject("function").put("name", plan.tool()).put("arguments", "");
            send(out, chunk(id, model, delta, null));
            ObjectNode arguments = json.createObjectNode();
            arguments.putArray("tool_calls").addObject().put("index", 0).putObject("function")
                    .put("arguments", plan.arguments());
            send(out, chunk(id, model, arguments, null));
        } else {
            send(out, chunk(id, model, json.createObjectNode().put("role", "assistant").put("content", ""), null));
            boolean first = true;
            for (String piece : plan.chunks()) {
                send(out, chunk(id, model, json.createObjectNode().put("content", piece), null));
                if (first && held.getCount() > 0) {
                    heldSignal.countDown();
                    awaitQuietly(held);
                }
                first = false;
                pause(delay);
            }
        }
        send(out, chunk(id, model, json.createObjectNode(), plan.tool() != null ? "tool_calls" : "stop"));
        if (body.path("stream_options").path("include_usage").asBoolean(false)) {
            ObjectNode last = json.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
                    .put("model", model);
            last.putArray("choices");
            last.set("usage", usage());
            send(out, last.toString());
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private String chunk(String id, String model, ObjectNode delta, String finish) {
        ObjectNode chunk = json.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
                .put("model", model);
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return chunk.toString();
    }

    private static void send(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void pause(Duration delay) {
        if (!delay.isZero()) {
            awaitQuietly(new CountDownLatch(1), delay);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        awaitQuietly(latch, Duration.ofMinutes(2));
    }

    private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
        try {
            latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }

    /** The message roles of a request, for assertions. */
    public static List<String> roles(JsonNode request) {
        List<String> roles = new ArrayList<>();
        request.path("messages").forEach(message -> roles.add(message.path("role").asText()));
        return roles;
    }
}
