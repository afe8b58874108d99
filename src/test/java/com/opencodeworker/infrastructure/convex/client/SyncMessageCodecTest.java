package com.opencodeworker.infrastructure.convex.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Golden tests: frames the official JS client exchanged, parsed and re-emitted. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SyncMessageCodecTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> CLIENT_TYPES = Set.of("Connect", "ModifyQuerySet", "Mutation", "Action");
    /** Numbers compare by value: the JS client writes 1 where Java writes 1.0; both are float64 1. */
    private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? Double.compare(a.asDouble(), b.asDouble()) : a.equals(b) ? 0 : 1;

    static Stream<JsonNode> capturedClientFrames() throws IOException {
        return frames("ws-in").filter(msg -> CLIENT_TYPES.contains(msg.path("type").asText()));
    }

    static Stream<JsonNode> capturedServerFrames() throws IOException {
        return frames("ws-out");
    }

    @ParameterizedTest
    @MethodSource("capturedClientFrames")
    void clientFramesReEmitEqual(JsonNode frame) {
        ClientMessage message = SyncServerCodec.clientFromJson(frame);
        assertThat(SyncMessageCodec.toJson(message).equals(SAME_VALUE, frame)).as(frame.toString()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("capturedServerFrames")
    void serverFramesReEmitEqual(JsonNode frame) {
        ServerMessage message = SyncMessageCodec.readServer(frame.toString());
        assertThat(SyncServerCodec.toJson(message).equals(SAME_VALUE, frame)).as(frame.toString()).isTrue();
    }

    @Test
    void capturedArgumentsAndValuesRoundTripThroughTheValueCodec() throws IOException {
        List<JsonNode> values = new ArrayList<>();
        frames("ws-in").forEach(msg -> msg.path("args").forEach(values::add));
        frames("ws-out").forEach(msg -> {
            values.add(msg.path("result"));
            msg.path("modifications").forEach(mod -> values.add(mod.path("value")));
        });
        frames("http-in").forEach(body -> body.path("args").forEach(values::add));
        frames("http-out").forEach(body -> values.add(body.path("value")));
        values.removeIf(JsonNode::isMissingNode);
        assertThat(values).hasSizeGreaterThan(20);
        for (JsonNode value : values) {
            assertThat(ConvexValues.toJson(ConvexValues.fromJson(value)).equals(SAME_VALUE, value)).as(value.toString()).isTrue();
        }
    }

    @Test
    void capturedMutationArgumentsDecodeToJavaTypes() throws IOException {
        JsonNode args = frames("ws-in").filter(msg -> msg.path("args").path(0).has("negZero")).findFirst().orElseThrow()
                .path("args").get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> decoded = (Map<String, Object>) ConvexValues.fromJson(args);
        assertThat(decoded.get("n")).isEqualTo(5L);
        assertThat(decoded.get("f")).isEqualTo(1.5);
        assertThat((Double) decoded.get("nan")).isNaN();
        assertThat(decoded.get("inf")).isEqualTo(Double.NEGATIVE_INFINITY); // "AAAAAAAA8P8=" is -Infinity
        assertThat((byte[]) decoded.get("bytes")).containsExactly(1, 2, 3);
        assertThat(decoded.get("nested")).isEqualTo(Map.of("a", Map.of(),
                "b", Arrays.asList(1.0, "two", null, true)));
    }

    @Test
    void capturedVersionTimestampDecodes() throws IOException {
        ServerMessage.Transition first = (ServerMessage.Transition) SyncMessageCodec.readServer(
                frames("ws-out").filter(msg -> "Transition".equals(msg.path("type").asText())).findFirst().orElseThrow().toString());
        assertThat(first.startVersion()).isEqualTo(StateVersion.INITIAL);
        assertThat(first.endVersion().ts()).isGreaterThan(1_700_000_000_000_000_000L);
        assertThat(first.serverTs()).isPresent();
    }

    @Test
    void failedMutationResponseCarriesErrorDataAndNullTs() throws IOException {
        ServerMessage.MutationResponse failed = (ServerMessage.MutationResponse) SyncMessageCodec.readServer(
                frames("ws-out").filter(msg -> msg.path("success").isBoolean() && !msg.path("success").asBoolean()
                        && "MutationResponse".equals(msg.path("type").asText())).findFirst().orElseThrow().toString());
        assertThat(failed.ts()).isEmpty();
        assertThat(failed.errorData()).map(ConvexValues::fromJson).contains(Map.of("code", "NOPE"));
    }

    @Test
    void reSubscribeCarriesNullJournal() {
        ClientMessage.ModifyQuerySet modify = new ClientMessage.ModifyQuerySet(0, 1, List.of(new ClientMessage.Add(0, "a:b",
                MAPPER.createObjectNode(), Optional.of(new ClientMessage.JournalValue(null)))));
        assertThat(SyncMessageCodec.write(modify)).contains("\"journal\":null");
        assertThat(SyncServerCodec.readClient(SyncMessageCodec.write(modify))).isEqualTo(modify);
    }

    @Test
    void malformedFramesAreRejected() {
        assertThatThrownBy(() -> SyncMessageCodec.readServer("{\"type\":\"Nope\"}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SyncMessageCodec.readServer("{\"type\":\"Transition\"}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SyncServerCodec.readClient("not json")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SyncServerCodec.readClient("{\"type\":\"Mutation\",\"requestId\":1,\"udfPath\":\"a:b\",\"args\":[1]}"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void otherServerMessagesRoundTrip() {
        List<ServerMessage> messages = List.of(new ServerMessage.Ping(), new ServerMessage.FatalError("boom"),
                new ServerMessage.AuthError("bad token", Optional.of(0L), true),
                new ServerMessage.TransitionChunk("{\"a\"", 0, 2, "t1"),
                new ServerMessage.ActionResponse(3, false, MAPPER.getNodeFactory().textNode("err"), List.of("log"),
                        Optional.of(MAPPER.getNodeFactory().textNode("data"))));
        for (ServerMessage message : messages) {
            assertThat(SyncMessageCodec.readServer(SyncServerCodec.write(message))).isEqualTo(message);
        }
    }

    private static Stream<JsonNode> frames(String direction) throws IOException {
        List<JsonNode> result = new ArrayList<>();
        for (String file : List.of("minimal-frames.jsonl", "client-probe-frames.jsonl")) {
            try (InputStream in = SyncMessageCodecTest.class.getResourceAsStream("/convex-captures/" + file);
                    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    JsonNode entry = MAPPER.readTree(line);
                    if (direction.equals(entry.path("dir").asText())) {
                        JsonNode payload = direction.startsWith("ws") ? entry.path("msg") : entry.path("body");
                        if (payload.isObject()) {
                            result.add(payload);
                        }
                    }
                }
            }
        }
        return result.stream();
    }
}
