package com.opencodeworker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code opencode serve} driven directly over its HTTP API, as the baseline the worker is compared with. */
final class DirectOpenCode implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("opencode server listening on (http://\\S+?)/?$");
    private final ObjectMapper json = new ObjectMapper();
    /*
     * HTTP/1.1 only: the JDK client's default (HTTP/2) sends an h2c upgrade with each request on a
     * new connection, and OpenCode's server never answers such a POST (the session is created, the
     * response never comes), so a direct turn waited for ever.
     */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Process process;
    private final String url;
    private final Map<String, CompletableFuture<Long>> firstDelta = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> idle = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> eventsOpen = new CompletableFuture<>();
    private final long startedNanos;
    private long readyNanos;

    private DirectOpenCode(Process process, String url, long startedNanos) {
        this.process = process;
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
        DirectOpenCode direct = new DirectOpenCode(process, url, started);
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
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/event")).header("Accept", "text/event-stream")
                .build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> {
            eventsOpen.complete(null);
            response.body().forEach(this::onLine);
        }).exceptionally(error -> {
            eventsOpen.completeExceptionally(error);
            return null;
        });
    }

    private void onLine(String line) {
        if (!line.startsWith("data:")) {
            return;
        }
        long now = System.nanoTime();
        try {
            JsonNode event = json.readTree(line.substring(5));
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
        long sent = System.nanoTime();
        post("/session/" + session + "/prompt_async", json.createObjectNode().set("parts", json.createArrayNode()
                .add(json.createObjectNode().put("type", "text").put("text", text))).toString());
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
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + path))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException("OpenCode answered POST " + path + " with HTTP " + response.statusCode()
                    + ": " + response.body());
        }
        return response.body().isBlank() ? json.nullNode() : json.readTree(response.body());
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
