package com.opencodeworker.infrastructure.opencode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.opencodeworker.domain.port.ReplyResult;
import com.opencodeworker.testing.LogCapture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP client and event stream against a scripted server. */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class OpenCodeClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MockWebServer server = new MockWebServer();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private OpenCodeClient client;

    @BeforeEach
    void start() throws Exception {
        server.start();
        client = new OpenCodeClient(new OkHttpClient(), server.url("/"), ServerCredentials.of("s3cret"), JSON,
                Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
        server.close();
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
    }

    private static MockResponse events(String... events) {
        StringBuilder body = new StringBuilder();
        for (String event : events) {
            body.append("data: ").append(event).append("\n\n");
        }
        return new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(body.toString())
                .build();
    }

    @Test
    void requestsCarryBasicAuthForUserOpencode() throws Exception {
        server.enqueue(json(200, "[]"));

        client.listSessions();

        assertThat(server.takeRequest().getHeaders().get("Authorization"))
                .isEqualTo(Credentials.basic("opencode", "s3cret"));
    }

    @Test
    void credentialsDoNotPrintThePassword() {
        assertThat(ServerCredentials.of("s3cret").toString()).doesNotContain("s3cret");
    }

    @Test
    void unknownSessionIsEmpty() {
        server.enqueue(json(404, "{\"name\":\"NotFoundError\",\"data\":{\"message\":\"Session not found: ses_x\"}}"));

        assertThat(client.getSession("ses_x")).isEmpty();
    }

    @Test
    void knownSessionIsReturned() {
        server.enqueue(json(200, "{\"id\":\"ses_a\",\"directory\":\"/d\"}"));

        assertThat(client.getSession("ses_a")).hasValueSatisfying(s -> assertThat(s.path("id").asText())
                .isEqualTo("ses_a"));
    }

    @Test
    void serverErrorCarriesItsStatusAndBody() {
        server.enqueue(json(500, "{\"name\":\"UnknownError\"}"));

        assertThatThrownBy(() -> client.getSession("ses_a"))
                .isInstanceOfSatisfying(OpenCodeHttpException.class, e -> assertThat(e.status()).isEqualTo(500))
                .hasMessageContaining("HTTP 500 to GET /session/ses_a").hasMessageContaining("UnknownError");
    }

    @Test
    void promptIsSentUnderThePromptIdWithTheModelSplit() throws Exception {
        server.enqueue(new MockResponse.Builder().code(204).build());

        client.promptAsync("ses_a", "msg_1", "hello", Optional.of(ModelRef.parse("openrouter/anthropic/claude")));

        RecordedRequest request = server.takeRequest();
        assertThat(request.getTarget()).isEqualTo("/session/ses_a/prompt_async");
        JsonNode body = JSON.readTree(request.getBody().utf8());
        assertThat(body.path("messageID").asText()).isEqualTo("msg_1");
        assertThat(body.path("parts").get(0).path("text").asText()).isEqualTo("hello");
        assertThat(body.path("model").path("providerID").asText()).isEqualTo("openrouter");
        assertThat(body.path("model").path("modelID").asText()).isEqualTo("anthropic/claude");
    }

    @Test
    void recentMessagesAsksForTheNewestOnes() throws Exception {
        server.enqueue(json(200, "[{\"info\":{\"id\":\"msg_9\",\"role\":\"user\"},\"parts\":[]}]"));

        JsonNode messages = client.recentMessages("ses_a", 20);

        assertThat(server.takeRequest().getTarget()).isEqualTo("/session/ses_a/message?limit=20");
        assertThat(messages.get(0).path("info").path("id").asText()).isEqualTo("msg_9");
    }

    @Test
    void sessionIsBusyWhileStatusListsItAsBusyOrRetrying() {
        server.enqueue(json(200, "{\"ses_a\":{\"type\":\"busy\"},\"ses_b\":{\"type\":\"retry\",\"attempt\":1}}"));
        server.enqueue(json(200, "{\"ses_a\":{\"type\":\"busy\"},\"ses_b\":{\"type\":\"retry\",\"attempt\":1}}"));
        server.enqueue(json(200, "{}"));

        assertThat(client.isBusy("ses_a")).isTrue();
        assertThat(client.isBusy("ses_b")).isTrue();
        assertThat(client.isBusy("ses_a")).isFalse();
    }

    @Test
    void permissionRejectionCarriesItsMessage() throws Exception {
        server.enqueue(json(200, "true"));

        client.replyPermission("per_1", false, Optional.of("not allowed"));

        RecordedRequest request = server.takeRequest();
        assertThat(request.getTarget()).isEqualTo("/permission/per_1/reply");
        assertThat(JSON.readTree(request.getBody().utf8()))
                .isEqualTo(JSON.readTree("{\"reply\":\"reject\",\"message\":\"not allowed\"}"));
    }

    @Test
    void turnThatEndedWhileTheEventStreamWasDownEndsAfterTheReconnect() throws Exception {
        AtomicInteger streams = new AtomicInteger();
        List<String> paths = new CopyOnWriteArrayList<>();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getUrl().encodedPath();
                paths.add(path);
                return switch (path) {
                    case "/event" -> streams.incrementAndGet() == 1
                            ? events("{\"type\":\"server.connected\",\"properties\":{}}")
                            : new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                                    .body("data: {\"type\":\"server.connected\",\"properties\":{}}\n\n")
                                    .bodyDelay(5, TimeUnit.SECONDS).build();
                    case "/session/status" -> json(200, "{}");
                    case "/session/ses_a/message" -> json(200, """
                            [{"info":{"id":"msg_u","role":"user"},"parts":[]},
                             {"info":{"id":"msg_a","role":"assistant","parentID":"msg_u","time":{"created":1,"completed":2},
                               "finish":"stop","tokens":{"input":3,"output":4},"cost":0.5},
                              "parts":[{"id":"prt_1","type":"text","text":"done while away"}]}]""");
                    default -> json(404, "{}");
                };
            }
        });
        TurnTracker turn = new TurnTracker("ses_a", "msg_u", Path.of("/d"), event -> { }, client, JSON, scheduler,
                Duration.ofSeconds(1));
        turn.markStarted();
        List<JsonNode> seen = new CopyOnWriteArrayList<>();
        EventStream stream = new EventStream(client, new EventStream.Handler() {
            @Override
            public void onEvent(JsonNode event) {
                seen.add(event);
            }

            @Override
            public void onReconnected() {
                turn.resync();
            }

            @Override
            public void onUnresponsive(Duration brokenFor) {
            }
        }, JSON, scheduler, "test", Duration.ofMinutes(1));

        stream.open(Duration.ofSeconds(5));
        try {
            ReplyResult result = turn.result().get(5, TimeUnit.SECONDS);

            assertThat(result.text()).isEqualTo("done while away");
            assertThat(result.failure()).isEmpty();
            assertThat(paths).containsSubsequence("/event", "/event", "/session/status", "/session/ses_a/message");
            await().atMost(Duration.ofSeconds(2)).until(() -> !seen.isEmpty());
        } finally {
            stream.close();
        }
    }

    @Test
    void anEventStreamThatStaysBrokenReportsTheServerUnresponsiveOnce() throws Exception {
        AtomicInteger streams = new AtomicInteger();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return streams.incrementAndGet() == 1
                        ? events("{\"type\":\"server.connected\",\"properties\":{}}")
                        : json(503, "{}");
            }
        });
        List<Duration> reports = new CopyOnWriteArrayList<>();
        EventStream stream = new EventStream(client, new EventStream.Handler() {
            @Override
            public void onEvent(JsonNode event) {
            }

            @Override
            public void onReconnected() {
            }

            @Override
            public void onUnresponsive(Duration brokenFor) {
                reports.add(brokenFor);
            }
        }, JSON, scheduler, "test", Duration.ofMillis(300));

        stream.open(Duration.ofSeconds(5));
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> !reports.isEmpty());
            await().atMost(Duration.ofSeconds(8)).until(() -> streams.get() > 4);
            assertThat(reports).hasSize(1);
            assertThat(reports.get(0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        } finally {
            stream.close();
        }
    }

    /** An event stream on this test's server that counts its reconnects. */
    private EventStream countingReconnects(AtomicInteger reconnects, Duration silentAfter) {
        return new EventStream(client, new EventStream.Handler() {
            @Override
            public void onEvent(JsonNode event) {
            }

            @Override
            public void onReconnected() {
                reconnects.incrementAndGet();
            }

            @Override
            public void onUnresponsive(Duration brokenFor) {
            }
        }, JSON, scheduler, "test", silentAfter);
    }

    private static List<String> brokeLines(LogCapture log) {
        return log.messages().stream().filter(line -> line.contains(" broke ")).toList();
    }

    @Test
    void aStreamWithoutEventsForTheSilenceTimeoutIsReconnected() throws Exception {
        AtomicInteger streams = new AtomicInteger();
        String connected = "data: {\"type\":\"server.connected\",\"properties\":{}}\n\n";
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                // The first stream opens and then sends nothing for 10 s; the next ones answer at once.
                return new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(connected)
                        .bodyDelay(streams.incrementAndGet() == 1 ? 10 : 0, TimeUnit.SECONDS).build();
            }
        });
        AtomicInteger reconnects = new AtomicInteger();
        try (LogCapture log = LogCapture.of(EventStream.class)) {
            EventStream stream = countingReconnects(reconnects, Duration.ofSeconds(1));
            stream.open(Duration.ofSeconds(5));
            try {
                await().atMost(Duration.ofSeconds(5)).until(() -> reconnects.get() >= 1);

                assertThat(brokeLines(log)).first().isEqualTo(
                        "event stream of test broke (no event, not even a heartbeat, for 1 s); reconnecting");
            } finally {
                stream.close();
            }
        }
    }

    @Test
    void eventsKeepAStreamFromCountingAsSilent() throws Exception {
        String heartbeat = "data: {\"type\":\"server.heartbeat\",\"properties\":{}}\n\n";
        // Six heartbeats 400 ms apart (2.4 s), with 1 s allowed between events; then the server ends the stream.
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .body(heartbeat.repeat(6)).throttleBody(heartbeat.length(), 400, TimeUnit.MILLISECONDS).build());
        try (LogCapture log = LogCapture.of(EventStream.class)) {
            EventStream stream = countingReconnects(new AtomicInteger(), Duration.ofSeconds(1));
            stream.open(Duration.ofSeconds(5));
            try {
                await().atMost(Duration.ofSeconds(8)).until(() -> !brokeLines(log).isEmpty());

                assertThat(brokeLines(log)).first().isEqualTo("event stream of test broke (closed by the server); reconnecting");
            } finally {
                stream.close();
            }
        }
    }
}
