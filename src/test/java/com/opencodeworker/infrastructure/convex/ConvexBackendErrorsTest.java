package com.opencodeworker.infrastructure.convex;

import static com.opencodeworker.infrastructure.convex.ConvexBackendFixture.appended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.domain.Chunk;
import com.opencodeworker.domain.ChunkKind;
import com.opencodeworker.domain.InstanceId;
import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.SessionStatus;
import com.opencodeworker.domain.Usage;
import com.opencodeworker.domain.WorkerId;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.infrastructure.convex.client.ConvexException;
import com.opencodeworker.infrastructure.convex.client.ConvexFunctions;
import com.opencodeworker.testing.convex.FakeConvexError;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How the adapter maps what Convex throws, and that the secret never leaks into a message or a log line. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConvexBackendErrorsTest {
    private static final List<String> MUTATIONS = List.of("machines:connect", "machines:heartbeat",
            "machines:disconnect", "workers:setStatus", "sessions:update", "messages:claim", "messages:appendChunks",
            "messages:complete", "messages:fail");
    private static final List<String> QUERIES = List.of("machines:state", "messages:work");

    private ConvexBackendFixture world;
    private ConvexBackendLogCapture logs;
    private ConvexBackend adapter;

    @BeforeEach
    void setUp() {
        world = new ConvexBackendFixture();
        logs = new ConvexBackendLogCapture();
        adapter = world.adapter();
    }

    @AfterEach
    void tearDown() {
        logs.close();
        world.close();
    }

    static Stream<Arguments> errorCodes() {
        return Stream.of(
                Arguments.of("UNAUTHORIZED", BackendException.Unauthorized.class),
                Arguments.of("SUPERSEDED", BackendException.Superseded.class),
                Arguments.of("LEASE_LOST", BackendException.LeaseLost.class),
                Arguments.of("NOT_FOUND", BackendException.NotFound.class),
                Arguments.of("INVALID_ARGUMENT", BackendException.Rejected.class),
                Arguments.of("SOMETHING_NEW", BackendException.Rejected.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errorCodes")
    void aConvexErrorCodeMapsToItsException(String code, Class<? extends BackendException> expected) {
        world.convex.failNext("machines:heartbeat", functionError(code, "no"));

        assertThatThrownBy(() -> adapter.heartbeat(0)).isExactlyInstanceOf(expected)
                .hasMessageContaining("machines:heartbeat").hasMessageContaining(code)
                .satisfies(e -> assertThat(((BackendException) e).retryable()).isFalse());
    }

    @Test
    void aFunctionErrorWithoutDataIsRejected() {
        world.convex.failNext("messages:claim", new ConvexException.FunctionError("Server Error\nUncaught Error: x", null));

        assertThatThrownBy(() -> adapter.claim(new MessageId("msg_1"))).isExactlyInstanceOf(BackendException.Rejected.class);
    }

    @Test
    void anUnknownFunctionErrorIsLoggedOnceWithTheFunctionName() {
        world.convex.failNext("messages:claim", new ConvexException.FunctionError(
                "[Request ID: 1] Server Error\nUncaught Error: boom\n    at handler (messages.ts:9:10)", null));

        assertThatThrownBy(() -> adapter.claim(new MessageId("msg_1"))).isInstanceOf(BackendException.Rejected.class);

        assertThat(logs.warnings()).singleElement().asString().contains("messages:claim").contains("boom")
                .doesNotContain("\n");
    }

    @Test
    void aKnownContractErrorIsLeftToTheCallerToLog() {
        world.convex.failNext("messages:claim", functionError("LEASE_LOST", "gone"));

        assertThatThrownBy(() -> adapter.claim(new MessageId("msg_1"))).isInstanceOf(BackendException.LeaseLost.class);

        assertThat(logs.lines()).isEmpty();
    }

    static Stream<Arguments> retryableFailures() {
        return Stream.of(
                Arguments.of(new ConvexException.TransportError("socket closed", null)),
                Arguments.of(new ConvexException.RequestError(500, "InternalServerError", "oops")),
                Arguments.of(new ConvexException.RequestError(503, "Unavailable", "later")),
                Arguments.of(new ConvexException.RequestError(429, "TooManyRequests", "slow down")));
    }

    @ParameterizedTest
    @MethodSource("retryableFailures")
    void aRetryableFailureIsTransient(ConvexException failure) {
        world.convex.failNext("messages:work", failure);

        assertThatThrownBy(adapter::fetchWork).isExactlyInstanceOf(BackendException.Transient.class)
                .hasMessageContaining("messages:work")
                .satisfies(e -> assertThat(((BackendException) e).retryable()).isTrue());
    }

    @Test
    void aRefusedRequestIsRejected() {
        world.convex.failNext("machines:state", new ConvexException.RequestError(400, "BadRequest", "bad json"));

        assertThatThrownBy(adapter::fetchState).isExactlyInstanceOf(BackendException.Rejected.class)
                .hasMessageContaining("bad json");
    }

    @Test
    void aUrlAnsweringHttp404IsNotADeploymentOfOurs() {
        world.convex.failNext("machines:state", new ConvexException.RequestError(404, "HttpError", "Not Found"));

        assertThatThrownBy(adapter::fetchState).isExactlyInstanceOf(BackendException.WrongDeployment.class)
                .hasMessage("machines:state: HTTP 404");
    }

    @Test
    void aDeploymentWithoutOurFunctionsIsNotADeploymentOfOurs() {
        world.convex.failNext("machines:state", new ConvexException.FunctionError(
                "[Request ID: x] Server Error\nCould not find public function for 'machines:state'.", null));

        assertThatThrownBy(adapter::fetchState).isExactlyInstanceOf(BackendException.WrongDeployment.class)
                .hasMessageContaining("Could not find public function");
    }

    @Test
    void anUnknownHostIsSaidOnceInOneWordingWhateverWrapsIt() {
        java.net.UnknownHostException unknown = new java.net.UnknownHostException("nowhere.convex.cloud");
        world.convex.failNext("machines:state", new ConvexException.TransportError("query machines:state failed: x",
                new IOException("wrapped", unknown)));

        assertThatThrownBy(adapter::fetchState).isExactlyInstanceOf(BackendException.Transient.class)
                .hasMessage("machines:state failed: cannot resolve host nowhere.convex.cloud: check the deployment URL");
    }

    @Test
    void aFatalClientErrorIsPermanentButNoContractCode() {
        world.convex.failNext("machines:heartbeat", new ConvexException.Fatal("AuthError: nope"));

        assertThatThrownBy(() -> adapter.heartbeat(0)).isExactlyInstanceOf(BackendException.class)
                .hasMessageContaining("AuthError")
                .satisfies(e -> assertThat(((BackendException) e).retryable()).isFalse());
    }

    @Test
    void anUnexpectedClientFailureIsPermanent() {
        ConvexBackend broken = new ConvexBackend(new BrokenFunctions(), MachineToken.parse(world.token), InstanceId.random());

        assertThatThrownBy(() -> broken.heartbeat(0)).isExactlyInstanceOf(BackendException.class)
                .hasMessageContaining("client closed")
                .satisfies(e -> assertThat(((BackendException) e).retryable()).isFalse());
        assertThatThrownBy(broken::fetchWork).isExactlyInstanceOf(BackendException.class);
        assertThatThrownBy(() -> broken.subscribeWork(items -> { })).isExactlyInstanceOf(BackendException.class);
    }

    @Test
    void aFailingSubscribeIsMappedAndLeavesNoSubscriptionOpen() {
        ConvexFunctions refusing = new BrokenFunctions() {
            @Override
            public QuerySubscription subscribe(String path, Map<String, Object> args, QueryListener listener) {
                throw new ConvexException.TransportError("not connected", null);
            }
        };
        ConvexBackend backend = new ConvexBackend(refusing, MachineToken.parse(world.token), InstanceId.random());

        assertThatThrownBy(() -> backend.subscribeState(state -> { })).isInstanceOf(BackendException.Transient.class);
        backend.close();
    }

    @Test
    void theSecretIsInNoMessageOrLogLineWhenServersEchoTheArguments() {
        String secret = world.secret();
        for (String path : MUTATIONS) {
            world.convex.registerMutation(path, args -> {
                throw new IllegalArgumentException("ArgumentValidationError: Object: " + args);
            });
        }
        for (String path : QUERIES) {
            world.convex.registerQuery(path, args -> {
                throw new FakeConvexError("UNAUTHORIZED", "bad credentials " + args);
            });
        }

        List<Throwable> failures = callEverything(adapter);

        assertThat(failures).hasSize(MUTATIONS.size() + QUERIES.size());
        assertThat(failures).allSatisfy(failure -> assertThat(messagesOf(failure)).doesNotContain(secret));
        assertThat(String.join("\n", failures.stream().map(ConvexBackendErrorsTest::messagesOf).toList()))
                .contains(SecretScrubber.MASK);
        assertThat(logs.lines()).isNotEmpty().allSatisfy(line -> assertThat(line).doesNotContain(secret));
    }

    @Test
    void theSecretIsNotInATransientFailureOrItsCause() {
        String secret = world.secret();
        world.convex.failNext("messages:work", new ConvexException.RequestError(503, "Unavailable", "args were " + secret));

        assertThatThrownBy(adapter::fetchWork).isInstanceOf(BackendException.Transient.class)
                .satisfies(e -> assertThat(messagesOf(e)).doesNotContain(secret).contains("RequestError"));
    }

    @Test
    void aFailingSubscribedQueryIsLoggedOnceWithoutTheSecret() {
        String secret = world.secret();
        world.convex.registerQuery("messages:work", args -> {
            throw new FakeConvexError("UNAUTHORIZED", "no machine for " + args);
        });
        adapter.subscribeWork(items -> { });
        await().atMost(Duration.ofSeconds(3)).until(() -> !logs.warnings().isEmpty());

        world.convex.update(() -> { });
        world.connected().heartbeat(0);

        assertThat(logs.warnings()).singleElement().asString().contains("UNAUTHORIZED").doesNotContain(secret);
    }

    @Test
    void theAdapterDescribesItselfWithoutTheSecret() {
        assertThat(adapter.toString()).contains(world.machineId).doesNotContain(world.secret());
    }

    static Stream<Arguments> malformedAnswers() {
        return Stream.of(
                Arguments.of("machines:connect", Map.of("machineName", "x", "heartbeatIntervalMs", 1.0)),
                Arguments.of("machines:connect", Map.of("machineName", "x", "heartbeatIntervalMs", 0.0, "leaseMs", 1.0)),
                Arguments.of("machines:heartbeat", Map.of("leaseExpiresAt", "soon")),
                Arguments.of("messages:claim", Map.of("claimed", false, "reason", "because")),
                Arguments.of("messages:claim", Map.of("claimed", true, "attempt", 0.0, "leaseExpiresAt", 1.0)),
                Arguments.of("messages:claim", Map.of("claimed", true, "attempt", 1.5, "leaseExpiresAt", 1.0)),
                Arguments.of("messages:claim", List.of()),
                Arguments.of("messages:appendChunks", Map.of("leaseExpiresAt", 1.0)));
    }

    @ParameterizedTest(name = "{0} answers {1}")
    @MethodSource("malformedAnswers")
    void aMalformedAnswerIsRejected(String path, Object answer) {
        world.convex.registerMutation(path, args -> answer);

        assertThatThrownBy(() -> call(adapter, path)).isExactlyInstanceOf(BackendException.Rejected.class)
                .hasMessageContaining(path);
    }

    @Test
    void aMalformedStateIsRejected() {
        world.convex.registerQuery("machines:state", args -> Map.of("workers", List.of()));

        assertThatThrownBy(adapter::fetchState).isInstanceOf(BackendException.Rejected.class).hasMessageContaining("sessions");
    }

    private static ConvexException.FunctionError functionError(String code, String message) {
        return new ConvexException.FunctionError("Uncaught ConvexError", Map.of("code", code, "message", message));
    }

    private static List<Throwable> callEverything(Backend backend) {
        List<Throwable> failures = new ArrayList<>();
        for (String path : MUTATIONS) {
            capture(failures, () -> call(backend, path));
        }
        capture(failures, backend::fetchState);
        capture(failures, backend::fetchWork);
        return failures;
    }

    private static void call(Backend backend, String path) {
        MessageId message = new MessageId("msg_1");
        Map<String, Consumer<Backend>> calls = Map.of(
                "machines:connect", b -> b.connect(ConvexBackendFixture.REQUEST),
                "machines:heartbeat", b -> b.heartbeat(0),
                "machines:disconnect", Backend::disconnect,
                "workers:setStatus", b -> b.setWorkerStatus(new WorkerId("wrk_1"), Optional.of("broken")),
                "sessions:update", b -> b.updateSession(new SessionId("chat_1"), Optional.of(SessionStatus.ACTIVE),
                        Optional.of(new OpenCodeSessionId("ses_1"))),
                "messages:claim", b -> b.claim(message),
                "messages:appendChunks", b -> appended(b.appendChunks(message, 1, List.of(new Chunk(0, ChunkKind.TEXT, "t")))),
                "messages:complete", b -> b.complete(message, 1, new Backend.CompletedReply("c", Optional.of("r"),
                        Optional.of("[]"), Optional.of(new Usage(1, 2, 0.1)))),
                "messages:fail", b -> b.fail(message, 1, "e", true));
        calls.get(path).accept(backend);
    }

    private static void capture(List<Throwable> failures, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }

    private static String messagesOf(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            text.append(t).append('\n');
        }
        return text.toString();
    }

    /** A client that has stopped: every call throws a plain exception. */
    private static class BrokenFunctions implements ConvexFunctions {
        @Override
        public Object query(String path, Map<String, Object> args) {
            throw new IllegalStateException("client closed");
        }

        @Override
        public Object mutation(String path, Map<String, Object> args) {
            throw new IllegalStateException("client closed");
        }

        @Override
        public Object mutationAnswered(String path, Map<String, Object> args) {
            throw new IllegalStateException("client closed");
        }

        @Override
        public QuerySubscription subscribe(String path, Map<String, Object> args, QueryListener listener) {
            throw new IllegalStateException("client closed");
        }

        @Override
        public void addConnectionListener(ConnectionListener listener) {
        }
    }
}
