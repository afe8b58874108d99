package com.opencodeworker.testing.convex;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fake's protocol behaviour, checked with hand-written frames over a raw WebSocket. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FakeConvexServerTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String INITIAL = "{\"querySet\":0,\"identity\":0,\"ts\":\"AAAAAAAAAAA=\"}";

    private final OkHttpClient http = new OkHttpClient();
    private final List<RawSocket> sockets = new ArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private FakeConvexServer server;
    private long value;

    @BeforeEach
    void start() {
        server = FakeConvexServer.start();
        server.registerQuery("value:get", args -> value);
        server.registerMutation("value:add", args -> {
            log.add("ran");
            return ++value;
        });
    }

    @AfterEach
    void stop() {
        sockets.forEach(socket -> socket.ws.cancel());
        server.close();
        http.dispatcher().executorService().shutdown();
    }

    private RawSocket open(String path) {
        RawSocket socket = new RawSocket();
        socket.ws = http.newWebSocket(new Request.Builder().url(server.url() + path).header("Convex-Client", "java-9.9.9").build(),
                socket);
        sockets.add(socket);
        return socket;
    }

    private static String connect(String sessionId) {
        return "{\"type\":\"Connect\",\"sessionId\":\"" + sessionId + "\",\"connectionCount\":0,"
                + "\"lastCloseReason\":\"InitialConnect\",\"clientTs\":0}";
    }

    @Test
    void reSentMutationIsReplayedWithoutRunningAgain() throws Exception {
        String session = UUID.randomUUID().toString();
        RawSocket first = open("/api/sync");
        first.ws.send(connect(session));
        first.ws.send("{\"type\":\"Mutation\",\"requestId\":7,\"udfPath\":\"value:add\",\"args\":[{}]}");
        JsonNode original = first.next("MutationResponse");

        RawSocket second = open("/api/sync");
        second.ws.send(connect(session));
        second.ws.send("{\"type\":\"Mutation\",\"requestId\":7,\"udfPath\":\"value:add\",\"args\":[{}]}");
        JsonNode replay = second.next("MutationResponse");

        assertThat(replay.get("result")).isEqualTo(original.get("result"));
        assertThat(replay.get("ts")).isEqualTo(original.get("ts"));
        assertThat(server.executions("value:add")).isEqualTo(1);
        assertThat(log).hasSize(1);
    }

    @Test
    void sameRequestIdInAnotherSessionRunsAgain() throws Exception {
        for (int i = 0; i < 2; i++) {
            RawSocket socket = open("/api/sync");
            socket.ws.send(connect(UUID.randomUUID().toString()));
            socket.ws.send("{\"type\":\"Mutation\",\"requestId\":0,\"udfPath\":\"value:add\",\"args\":[{}]}");
            socket.next("MutationResponse");
        }
        assertThat(server.executions("value:add")).isEqualTo(2);
    }

    @Test
    void transitionsChainFromTheInitialVersionAndCoverTheMutation() throws Exception {
        RawSocket socket = open("/api/1.48.0/sync");
        socket.ws.send(connect(UUID.randomUUID().toString()));
        socket.ws.send("{\"type\":\"ModifyQuerySet\",\"baseVersion\":0,\"newVersion\":1,"
                + "\"modifications\":[{\"type\":\"Add\",\"queryId\":0,\"udfPath\":\"value:get\",\"args\":[{}]}]}");
        JsonNode first = socket.next("Transition");
        assertThat(first.get("startVersion")).isEqualTo(MAPPER.readTree(INITIAL));
        assertThat(first.at("/modifications/0/type").asText()).isEqualTo("QueryUpdated");
        assertThat(first.at("/modifications/0/value")).isEqualTo(MAPPER.readTree("{\"$integer\":\"AAAAAAAAAAA=\"}"));

        socket.ws.send("{\"type\":\"Mutation\",\"requestId\":0,\"udfPath\":\"value:add\",\"args\":[{}]}");
        JsonNode response = socket.next("MutationResponse");
        JsonNode second = socket.next("Transition");
        assertThat(second.get("startVersion")).isEqualTo(first.get("endVersion"));
        assertThat(ts(second.at("/endVersion/ts"))).isGreaterThanOrEqualTo(ts(response.get("ts")));
        assertThat(second.at("/modifications/0/value")).isEqualTo(MAPPER.readTree("{\"$integer\":\"AQAAAAAAAAA=\"}"));
        assertThat(server.clientVersions()).contains("java-9.9.9");
    }

    @Test
    void unchangedQueriesAreNotResent() throws Exception {
        RawSocket socket = open("/api/sync");
        socket.ws.send(connect(UUID.randomUUID().toString()));
        socket.ws.send("{\"type\":\"ModifyQuerySet\",\"baseVersion\":0,\"newVersion\":1,"
                + "\"modifications\":[{\"type\":\"Add\",\"queryId\":0,\"udfPath\":\"value:get\",\"args\":[{}]}]}");
        socket.next("Transition");
        server.update(() -> { });
        assertThat(socket.next("Transition").get("modifications")).isEmpty();
    }

    @Test
    void baseVersionMismatchIsAFatalError() throws Exception {
        RawSocket socket = open("/api/sync");
        socket.ws.send(connect(UUID.randomUUID().toString()));
        socket.ws.send("{\"type\":\"ModifyQuerySet\",\"baseVersion\":7,\"newVersion\":8,\"modifications\":[]}");
        assertThat(socket.next("FatalError").get("error").asText())
                .isEqualTo("Base version 7 passed up doesn't match the current version 0");
    }

    @Test
    void idleSocketGetsPings() throws Exception {
        server.setPingInterval(Duration.ofMillis(50));
        RawSocket socket = open("/api/sync");
        socket.ws.send(connect(UUID.randomUUID().toString()));
        assertThat(socket.next("Ping")).isNotNull();
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(server.openSocketCount()).isEqualTo(1);
    }

    @Test
    void removedQueryIsReportedRemoved() throws Exception {
        RawSocket socket = open("/api/sync");
        socket.ws.send(connect(UUID.randomUUID().toString()));
        socket.ws.send("{\"type\":\"ModifyQuerySet\",\"baseVersion\":0,\"newVersion\":1,"
                + "\"modifications\":[{\"type\":\"Add\",\"queryId\":0,\"udfPath\":\"value:get\",\"args\":[{}]}]}");
        socket.next("Transition");
        socket.ws.send("{\"type\":\"ModifyQuerySet\",\"baseVersion\":1,\"newVersion\":2,"
                + "\"modifications\":[{\"type\":\"Remove\",\"queryId\":0}]}");
        JsonNode transition = socket.next("Transition");
        assertThat(transition.at("/modifications/0/type").asText()).isEqualTo("QueryRemoved");
        assertThat(transition.at("/endVersion/querySet").asLong()).isEqualTo(2);
    }

    @Test
    void downServerRefusesUpgradesAndHttp() throws Exception {
        server.setDown(true);
        RawSocket socket = open("/api/sync");
        assertThat(socket.failures.poll(5, TimeUnit.SECONDS)).isEqualTo(503);
        try (Response response = http.newCall(new Request.Builder().url(server.url() + "/api/query")
                .post(okhttp3.RequestBody.create("{}", okhttp3.MediaType.get("application/json"))).build()).execute()) {
            assertThat(response.code()).isEqualTo(503);
        }
    }

    private static long ts(JsonNode base64) {
        return com.opencodeworker.infrastructure.convex.client.ConvexValues.fromBase64(base64.asText());
    }

    private static final class RawSocket extends WebSocketListener {
        final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        final BlockingQueue<Integer> failures = new LinkedBlockingQueue<>();
        WebSocket ws;

        JsonNode next(String type) throws InterruptedException {
            while (true) {
                JsonNode frame = frames.poll(5, TimeUnit.SECONDS);
                assertThat(frame).as("a " + type + " frame").isNotNull();
                if (type.equals(frame.path("type").asText())) {
                    return frame;
                }
            }
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            try {
                frames.add(MAPPER.readTree(text));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            failures.add(response == null ? -1 : response.code());
        }
    }
}
