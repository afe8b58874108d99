package com.opencodeworker.testing.convex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.infrastructure.convex.client.ConvexException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The fake's own promises, called as raw Convex functions: argument validation, call log, limits, fencing details. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FakeBackendTest {
    private static final String INSTANCE = "11111111-1111-4111-8111-111111111111";

    private final AtomicLong millis = new AtomicLong(1_000_000);
    private final FakeBackend backend = new FakeBackend(() -> Instant.ofEpochMilli(millis.get()));
    private final InProcessConvex convex = new InProcessConvex();
    private String machineId;
    private String secret;
    private String sessionId;

    @BeforeEach
    void setUp() {
        backend.installOn(convex);
        String token = backend.createMachine("laptop");
        machineId = token.substring(0, token.indexOf(':'));
        secret = token.substring(token.indexOf(':') + 1);
        sessionId = backend.createSession(backend.createWorker(machineId, "api", "api"));
        convex.mutation("machines:connect", args(Map.of("version", "1", "hostname", "h", "platform", "p",
                "rootDirectory", "/r")));
    }

    @AfterEach
    void tearDown() {
        convex.close();
    }

    @Test
    void createdTokensAreValidMachineTokens() {
        MachineToken token = MachineToken.parse(backend.createMachine("other"));

        assertThat(token.secret()).startsWith("sec_");
        assertThat(token.toString()).doesNotContain(token.secret());
    }

    static Stream<Arguments> invalidArguments() {
        return Stream.of(
                Arguments.of("an optional field sent as null", "sessions:update", map("sessionId", "chat_0003", "status", null)),
                Arguments.of("a field the validator does not know", "sessions:update", map("sessionId", "chat_0003", "color", "red")),
                Arguments.of("a status outside the union", "sessions:update", map("sessionId", "chat_0003", "status", "closed")),
                Arguments.of("a missing field", "machines:heartbeat", map()),
                Arguments.of("an int64 where a number belongs", "machines:heartbeat", map("runningSessions", 1L)),
                Arguments.of("a fractional attempt", "messages:fail", map("messageId", "m", "attempt", 1.5, "error", "e", "retryable", true)),
                Arguments.of("a chunk that is not an object", "messages:appendChunks", map("messageId", "m", "attempt", 1.0, "chunks", List.of("x"))),
                Arguments.of("a chunk of an unknown kind", "messages:appendChunks", map("messageId", "m", "attempt", 1.0,
                        "chunks", List.of(map("sequence", 0.0, "kind", "image", "text", "x")))),
                Arguments.of("a usage with an extra field", "messages:complete", map("messageId", "m", "attempt", 1.0,
                        "content", "c", "reasoning", null, "parts", null, "usage", map("inputTokens", 1.0, "outputTokens", 1.0,
                                "cost", 0.0, "currency", "EUR"))),
                Arguments.of("usage that is not an object", "messages:complete", map("messageId", "m", "attempt", 1.0,
                        "content", "c", "reasoning", null, "parts", null, "usage", "lots")),
                Arguments.of("retryable that is not a boolean", "messages:fail", map("messageId", "m", "attempt", 1.0,
                        "error", "e", "retryable", "yes")),
                Arguments.of("chunks that are not an array", "messages:appendChunks", map("messageId", "m", "attempt", 1.0,
                        "chunks", "many")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidArguments")
    void convexArgumentValidationRejects(String what, String path, Map<String, Object> fields) {
        assertThatThrownBy(() -> convex.mutation(path, args(fields)))
                .isInstanceOfSatisfying(ConvexException.FunctionError.class, e -> {
                    assertThat(e.data()).isNull();
                    assertThat(e.getMessage()).contains("ArgumentValidationError");
                });
        assertThat(backend.calls()).last().extracting(FakeBackend.CallView::outcome).isEqualTo(FakeBackend.ARGUMENT_ERROR);
    }

    @Test
    void aValueThatIsNoConvexValueCannotCrossTheSeam() {
        assertThatThrownBy(() -> convex.mutation("machines:heartbeat", args(Map.of("runningSessions", 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Integer");
    }

    @Test
    void anUnknownFunctionIsAFunctionError() {
        assertThatThrownBy(() -> convex.query("messages:list", Map.of()))
                .isInstanceOf(ConvexException.FunctionError.class).hasMessageContaining("messages:list");
    }

    @Test
    void aContractErrorCarriesItsCodeAndMessage() {
        assertThatThrownBy(() -> convex.query("messages:work", Map.of("machineId", machineId, "secret", "sec_wrongwrong")))
                .isInstanceOfSatisfying(ConvexException.FunctionError.class,
                        e -> assertThat(e.code()).contains("UNAUTHORIZED"));
    }

    @Test
    void callsRecordEveryMutationWithItsMessageInstanceAndOutcome() {
        String message = backend.sendMessage(sessionId, "hi", null);

        convex.mutation("messages:claim", args(Map.of("messageId", message)));
        assertThatThrownBy(() -> convex.mutation("messages:fail", args(Map.of("messageId", message, "attempt", 5.0,
                "error", "x", "retryable", false)))).isInstanceOf(ConvexException.FunctionError.class);

        assertThat(backend.calls()).containsExactly(
                new FakeBackend.CallView("machines:connect", null, INSTANCE, "ok"),
                new FakeBackend.CallView("messages:claim", message, INSTANCE, "ok"),
                new FakeBackend.CallView("messages:fail", message, INSTANCE, "LEASE_LOST"));
    }

    @Test
    void queriesAreCountedNotLogged() {
        convex.query("messages:work", queryArgs());
        convex.query("messages:work", queryArgs());

        assertThat(backend.queryCount("messages:work")).isEqualTo(2);
        assertThat(backend.calls()).extracting(FakeBackend.CallView::function).doesNotContain("messages:work");
    }

    @Test
    void workReturnsAtMostTheHundredOldestMessages() {
        for (int i = 0; i < FakeBackend.WORK_LIMIT + 5; i++) {
            millis.incrementAndGet();
            backend.sendMessage(sessionId, "message " + i, null);
        }

        List<?> work = (List<?>) convex.query("messages:work", queryArgs());

        assertThat(work).hasSize(FakeBackend.WORK_LIMIT);
        assertThat(((Map<?, ?>) work.get(0)).get("content")).isEqualTo("message 0");
        assertThat(((Map<?, ?>) work.get(99)).get("content")).isEqualTo("message 99");
    }

    @Test
    void workNumbersAreDoubles() {
        backend.sendMessage(sessionId, "hi", null);

        Map<?, ?> item = (Map<?, ?>) ((List<?>) convex.query("messages:work", queryArgs())).get(0);

        assertThat(item.get("attempt")).isEqualTo(0.0);
        assertThat(item.get("createdAt")).isInstanceOf(Double.class);
    }

    @Test
    void aCallBeforeConnectIsRejected() {
        String token = backend.createMachine("fresh");
        Map<String, Object> args = new HashMap<>();
        args.put("machineId", token.substring(0, token.indexOf(':')));
        args.put("secret", token.substring(token.indexOf(':') + 1));
        args.put("instanceId", INSTANCE);
        args.put("runningSessions", 0.0);

        assertThatThrownBy(() -> convex.mutation("machines:heartbeat", args))
                .isInstanceOfSatisfying(ConvexException.FunctionError.class,
                        e -> assertThat(e.code()).contains("INVALID_ARGUMENT"));
    }

    @Test
    void completeOfAnUnknownMessageIsNotFound() {
        assertThatThrownBy(() -> convex.mutation("messages:fail", args(Map.of("messageId", "msg_none", "attempt", 1.0,
                "error", "x", "retryable", false))))
                .isInstanceOfSatisfying(ConvexException.FunctionError.class, e -> assertThat(e.code()).contains("NOT_FOUND"));
    }

    @Test
    void aRejectedBatchStoresNoneOfItsChunks() {
        String message = backend.sendMessage(sessionId, "hi", null);
        convex.mutation("messages:claim", args(Map.of("messageId", message)));

        assertThatThrownBy(() -> convex.mutation("messages:appendChunks", args(Map.of("messageId", message,
                "attempt", 1.0, "chunks", List.of(chunk(0), chunk(2))))))
                .isInstanceOf(ConvexException.FunctionError.class);

        assertThat(backend.chunks(message, 1)).isEmpty();
    }

    @Test
    void cancellingAFinishedMessageChangesNothing() {
        String message = backend.sendMessage(sessionId, "hi", null);
        backend.cancel(message);

        backend.cancel(message);

        assertThat(backend.message(message).terminalOutcomes()).containsExactly("cancelled");
    }

    @Test
    void theTestApiRefusesUnknownIds() {
        assertThatThrownBy(() -> backend.message("msg_none")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> backend.createWorker("mch_none", "x", "y")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void updateRunsTheChangeAndGetsItsResult() {
        String message = convex.updateAndGet(() -> backend.sendMessage(sessionId, "hi", "a/b"));
        convex.update(() -> backend.cancel(message));

        assertThat(backend.message(message).model()).isEqualTo("a/b");
        assertThat(backend.message(message).status()).isEqualTo("cancelled");
    }

    @Test
    void anInjectedFailureIsThrownOnceWithoutRunningTheFunction() {
        convex.failNext("messages:work", new ConvexException.TransportError("down", null));

        assertThatThrownBy(() -> convex.query("messages:work", queryArgs()))
                .isInstanceOf(ConvexException.TransportError.class);
        assertThat(convex.query("messages:work", queryArgs())).isEqualTo(List.of());
        assertThat(backend.queryCount("messages:work")).isEqualTo(1);
    }

    private Map<String, Object> args(Map<String, Object> fields) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("machineId", machineId);
        args.put("secret", secret);
        args.put("instanceId", INSTANCE);
        args.putAll(fields);
        return args;
    }

    private Map<String, Object> queryArgs() {
        return Map.of("machineId", machineId, "secret", secret);
    }

    private static Map<String, Object> chunk(int sequence) {
        return map("sequence", (double) sequence, "kind", "text", "text", "x");
    }

    /** A map that, unlike Map.of, may hold null values. */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
