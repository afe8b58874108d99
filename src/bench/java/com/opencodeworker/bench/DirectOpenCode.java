package com.opencodeworker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.infrastructure.opencode.PromptId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Credentials;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/**
 * {@code opencode serve} driven directly over its HTTP API, as the baseline the worker is compared with:
 * with the worker's own HTTP stack (OkHttp), so that the difference is what the worker adds. Either a
 * server of its own, started with the environment it is given, or the worker's own server, driven in
 * a session of its own beside the worker's. When the environment holds {@code OPENCODE_SERVER_PASSWORD}
 * (a copy of the worker's own server's), every request carries it, as the worker's do.
 */
final class DirectOpenCode implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("opencode server listening on (http://\\S+?)/?$");
    private final ObjectMapper json = new ObjectMapper();
    private static final MediaType JSON = MediaType.get("application/json");
    private final OkHttpClient http;
    private EventSource events;
    /** The server this one started, or null when it drives the worker's. */
    private final Process process;
    private final long pid;
    private final String url;
    private final Map<String, CompletableFuture<Long>> firstDelta = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> idle = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> eventsOpen = new CompletableFuture<>();
    private final AtomicInteger prompts = new AtomicInteger();
    private final long startedNanos;
    private long readyNanos;

    private DirectOpenCode(Process process, long pid, String url, long startedNanos, String password) {
        OkHttpClient.Builder builder = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofSeconds(60));
        if (password != null) {
            String authorization = Credentials.basic("opencode", password);
            builder.addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
                    .header("Authorization", authorization).build()));
        }
        this.http = builder.build();
        this.process = process;
        this.pid = pid;
        this.url = url;
        this.startedNanos = startedNanos;
    }

    /** Spawns it in {@code directory} and waits until it listens and its event stream is open. */
    static DirectOpenCode start(Path binary, Path directory, Map<String, String> environment) throws Exception {
        long started = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(List.of(binary.toString(), "serve", "--hostname", "127.0.0.1",
                "--port", "0")).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        String url = null;
        while (url == null) {
            String line = output.readLine();
            if (line == null) {
                break;
            }
            Matcher listening = LISTENING.matcher(line.strip());
            if (listening.find()) {
                url = listening.group(1);
            }
        }
        if (url == null) {
            throw new IllegalStateException("opencode serve exited before listening");
        }
        Thread drain = new Thread(() -> output.lines().forEach(line -> { }), "direct-opencode-out");
        drain.setDaemon(true);
        drain.start();
        return open(new DirectOpenCode(process, process.pid(), url, started,
                environment.get("OPENCODE_SERVER_PASSWORD")));
    }

    /**
     * Drives the server already running as {@code pid} (the worker's), listening at {@code url}, with
     * the password of {@code environment}; {@link #close} leaves that server running.
     */
    static DirectOpenCode attach(long pid, String url, Map<String, String> environment) throws Exception {
        return open(new DirectOpenCode(null, pid, url, System.nanoTime(), environment.get("OPENCODE_SERVER_PASSWORD")));
    }

    private static DirectOpenCode open(DirectOpenCode direct) throws Exception {
        try {
            direct.openEvents();
            await(direct.eventsOpen, "the event stream opening");
        } catch (Exception e) {
            direct.close();
            throw e;
        }
        direct.readyNanos = System.nanoTime();
        return direct;
    }

    /** From the spawn to an open event stream. */
    long coldStartMillis() {
        return TimeUnit.NANOSECONDS.toMillis(readyNanos - startedNanos);
    }

    private void openEvents() {
        Request request = new Request.Builder().url(url + "/event").header("Accept", "text/event-stream").build();
        events = EventSources.createFactory(http.newBuilder().readTimeout(Duration.ZERO).build())
                .newEventSource(request, new EventSourceListener() {
                    @Override
                    public void onOpen(EventSource source, Response response) {
                        eventsOpen.complete(null);
                    }

                    @Override
                    public void onEvent(EventSource source, String id, String type, String data) {
                        onData(data);
                    }

                    @Override
                    public void onFailure(EventSource source, Throwable error, Response response) {
                        eventsOpen.completeExceptionally(error != null ? error
                                : new IllegalStateException("event stream answered HTTP " + response.code()));
                    }
                });
    }

    private void onData(String data) {
        long now = System.nanoTime();
        try {
            JsonNode event = json.readTree(data);
            String type = event.path("type").asText();
            String session = event.path("properties").path("sessionID").asText();
            if (type.equals("message.part.delta")) {
                CompletableFuture<Long> waiting = firstDelta.get(session);
                if (waiting != null) {
                    waiting.complete(now);
                }
            } else if (type.equals("session.idle") || type.equals("session.status")
                    && event.path("properties").path("status").path("type").asText().equals("idle")) {
                CompletableFuture<Void> waiting = idle.get(session);
                if (waiting != null) {
                    waiting.complete(null);
                }
            }
        } catch (IOException e) {
            // Not an event the benchmark reads.
        }
    }

    String createSession() throws Exception {
        return post("/session", "{}").path("id").asText();
    }

    /** Prompts and returns the time to the first streamed delta (ms); returns once the turn ended. */
    double firstDeltaMillis(String session, String text) throws Exception {
        CompletableFuture<Long> first = new CompletableFuture<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        firstDelta.put(session, first);
        idle.put(session, ended);
        // The body the worker sends: the prompt under an id of its own (PromptId), and the text.
        String messageId = PromptId.forMessage(new MessageId("direct" + prompts.incrementAndGet()), Instant.now())
                .value();
        ObjectNode body = json.createObjectNode().put("messageID", messageId);
        body.putArray("parts").addObject().put("type", "text").put("text", text);
        long sent = System.nanoTime();
        post("/session/" + session + "/prompt_async", body.toString());
        long firstAt = await(first, "the first streamed delta of " + session);
        await(ended, "the end of the turn of " + session);
        return (firstAt - sent) / 1e6;
    }

    private static <T> T await(CompletableFuture<T> event, String what) throws Exception {
        try {
            return event.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException("OpenCode direct: no event for " + what + " within 60 s");
        }
    }

    private JsonNode post(String path, String body) throws Exception {
        Request request = new Request.Builder().url(url + path).post(RequestBody.create(body, JSON)).build();
        try (Response response = http.newCall(request).execute()) {
            String text = response.body().string();
            if (!response.isSuccessful()) {
                throw new IllegalStateException("OpenCode answered POST " + path + " with HTTP " + response.code()
                        + ": " + text);
            }
            return text.isBlank() ? json.nullNode() : json.readTree(text);
        }
    }

    long pid() {
        return pid;
    }

    @Override
    public void close() throws InterruptedException {
        if (events != null) {
            events.cancel();
        }
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
