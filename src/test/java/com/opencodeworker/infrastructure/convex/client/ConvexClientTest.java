package com.opencodeworker.infrastructure.convex.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.infrastructure.convex.client.ConvexFunctions.ConnectionListener;
import com.opencodeworker.infrastructure.convex.client.ConvexFunctions.QueryListener;
import com.opencodeworker.infrastructure.convex.client.ConvexFunctions.QuerySubscription;
import com.opencodeworker.testing.convex.FakeConvexError;
import com.opencodeworker.testing.convex.FakeConvexServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConvexClientTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration HOLD = Duration.ofMinutes(5);

    private final AtomicLong counter = new AtomicLong();
    private final List<String> messages = new ArrayList<>();
    private final ExecutorService background = Executors.newCachedThreadPool();
    private final RecordingConnectionListener connection = new RecordingConnectionListener();
    private FakeConvexServer server;
    private ConvexClient client;

    @BeforeEach
    void startServer() {
        server = FakeConvexServer.start();
        server.registerQuery("counter:get", args -> counter.get());
        server.registerMutation("counter:increment", args -> counter.incrementAndGet());
        server.registerQuery("messages:list", args -> List.copyOf(messages));
        server.registerMutation("messages:send", args -> {
            messages.add((String) args.get("body"));
            return (double) messages.size();
        });
        server.registerMutation("messages:fail", args -> {
            throw new FakeConvexError("NOPE", "not allowed");
        });
        server.registerQuery("messages:broken", args -> {
            throw new FakeConvexError("BROKEN", "query failed");
        });
        server.registerAction("messages:act", args -> Map.of("echoed", args));
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.close();
        background.shutdownNow();
    }

    private ConvexClientOptions options() {
        ReconnectBackoff fast = new ReconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(30), Duration.ofMillis(200),
                () -> 0.5);
        return ConvexClientOptions.defaults(server.url()).withBackoff(fast).withMutationTimeout(WAIT);
    }

    private ConvexClient connect(ConvexClientOptions options) {
        client = ConvexClient.connect(options);
        client.addConnectionListener(connection);
        return client;
    }

    private <T> CompletableFuture<T> inBackground(Supplier<T> call) {
        return CompletableFuture.supplyAsync(call, background);
    }

    @Test
    void subscriberGetsSnapshotThenUpdatesUntilUnsubscribed() {
        connect(options());
        RecordingQueryListener listener = new RecordingQueryListener();
        QuerySubscription subscription = client.subscribe("messages:list", Map.of(), listener);
        await().atMost(WAIT).until(() -> listener.values.contains(List.of()));

        client.mutation("messages:send", Map.of("body", "hello"));
        await().atMost(WAIT).until(() -> listener.values.contains(List.of("hello")));

        subscription.close();
        client.mutation("counter:increment", Map.of());
        int runsBefore = server.executions("messages:list");
        int valuesBefore = listener.values.size();
        server.update(() -> messages.add("unseen"));
        client.mutation("counter:increment", Map.of());
        assertThat(server.executions("messages:list")).as("query removed on the server").isEqualTo(runsBefore);
        assertThat(listener.values).hasSize(valuesBefore);
    }

    @Test
    void mutationResolvesOnlyAfterTheCoveringTransition() throws Exception {
        RecordingQueryListener listener = counterSubscribedWithTransitionsHeld();

        CompletableFuture<Object> mutation = inBackground(() -> client.mutation("counter:increment", Map.of()));
        await().atMost(WAIT).until(() -> server.executions("counter:increment") == 1);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !mutation.isDone());

        server.setTransitionDelay(Duration.ZERO);
        server.update(() -> { });
        assertThat(mutation.get(5, TimeUnit.SECONDS)).isEqualTo(1L);
        await().atMost(WAIT).until(() -> listener.values.contains(1L));
    }

    @Test
    void answeredMutationResolvesOnItsAnswerWhileTheTransitionIsHeld() throws Exception {
        RecordingQueryListener listener = counterSubscribedWithTransitionsHeld();

        assertThat(client.mutationAnswered("counter:increment", Map.of())).isEqualTo(1L);
        assertThat(listener.values).as("the subscription has not seen the write yet").doesNotContain(1L);

        server.setTransitionDelay(Duration.ZERO);
        server.update(() -> { });
        await().atMost(WAIT).until(() -> listener.values.contains(1L));
    }

    /** A connected client subscribed to the counter (seen at 0); from now on the server holds its Transitions. */
    private RecordingQueryListener counterSubscribedWithTransitionsHeld() {
        connect(options());
        RecordingQueryListener listener = new RecordingQueryListener();
        client.subscribe("counter:get", Map.of(), listener);
        await().atMost(WAIT).until(() -> listener.values.contains(0L));
        server.setTransitionDelay(HOLD);
        return listener;
    }

    @Test
    void mutationDroppedBeforeRunningIsAppliedOnceAfterReconnect() {
        connect(options());
        server.dropSocketOnMutation("counter:increment", 1, false);

        assertThat(client.mutation("counter:increment", Map.of())).isEqualTo(1L);
        assertThat(server.executions("counter:increment")).isEqualTo(1);
        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @ParameterizedTest(name = "resolved on its answer: {0}")
    @ValueSource(booleans = {false, true})
    void mutationDroppedAfterCommitIsReplayedNotRerun(boolean onItsAnswer) {
        connect(options());
        server.dropSocketOnMutation("counter:increment", 1, true);

        Object result = onItsAnswer ? client.mutationAnswered("counter:increment", Map.of())
                : client.mutation("counter:increment", Map.of());
        assertThat(result).isEqualTo(1L);
        assertThat(server.executions("counter:increment")).isEqualTo(1);
        assertThat(counter.get()).isEqualTo(1);
        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    void actionInFlightFailsRetryablyWhenTheSocketDrops() {
        connect(options());
        client.mutation("counter:increment", Map.of());
        server.setSilent(true);
        CompletableFuture<Object> action = inBackground(() -> client.action("messages:act", Map.of("x", 1.0)));
        await().atMost(WAIT).until(() -> server.executions("messages:act") == 1);

        server.dropAllSockets();
        server.setSilent(false);

        assertThatThrownBy(action::join).cause().isInstanceOfSatisfying(ConvexException.TransportError.class, error -> {
            assertThat(error.retryable()).isTrue();
            assertThat(error).hasMessage("Connection lost while action was in flight");
        });
    }

    @Test
    void actionReturnsItsValue() {
        connect(options());
        assertThat(client.action("messages:act", Map.of("x", 1.0))).isEqualTo(Map.of("echoed", Map.of("x", 1.0)));
    }

    @Test
    void silenceBeyondTheInactivityTimeoutReconnects() {
        server.setPingInterval(Duration.ofMillis(50));
        connect(options().withInactivityTimeout(Duration.ofMillis(400)));
        client.mutation("counter:increment", Map.of());

        server.setSilent(true);
        await().atMost(WAIT).until(() -> connection.disconnects.contains("InactiveServer"));
        server.setSilent(false);

        await().atMost(WAIT).until(() -> connection.reconnects.size() >= 1);
        assertThat(client.mutation("counter:increment", Map.of())).isEqualTo(2L);
        assertThat(server.connectionCount()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void silenceAfterFramesKeptTheSocketAlivePastTheTimeoutStillReconnects() {
        server.setPingInterval(Duration.ofMillis(50));
        connect(options().withInactivityTimeout(Duration.ofMillis(400)));
        client.mutation("counter:increment", Map.of());
        // Longer than the timeout: the timer has fired at least once, found a recent frame and set itself again.
        await().during(Duration.ofMillis(900)).atMost(WAIT).until(() -> connection.disconnects.isEmpty());

        server.setSilent(true);

        await().atMost(WAIT).until(() -> connection.disconnects.contains("InactiveServer"));
        server.setSilent(false);
    }

    @Test
    void pingsKeepAnIdleConnectionAlive() {
        server.setPingInterval(Duration.ofMillis(50));
        connect(options().withInactivityTimeout(Duration.ofMillis(400)));
        client.mutation("counter:increment", Map.of());

        await().during(Duration.ofMillis(1000)).atMost(WAIT).until(() -> server.connectionCount() == 1);
    }

    @Test
    void fatalErrorStopsTheClientForGood() {
        connect(options());
        client.mutation("counter:increment", Map.of());
        server.setTransitionDelay(HOLD);
        CompletableFuture<Object> pending = inBackground(() -> client.mutation("counter:increment", Map.of()));
        await().atMost(WAIT).until(() -> server.executions("counter:increment") == 2);

        server.sendFatalError("Base version 7 passed up doesn't match the current version 0");

        await().atMost(WAIT).until(() -> !connection.fatals.isEmpty());
        assertThat(connection.fatals.get(0)).contains("Base version 7");
        assertThatThrownBy(pending::join).cause().isInstanceOf(ConvexException.Fatal.class).hasMessageContaining("Base version 7");
        assertThatThrownBy(() -> client.mutation("counter:increment", Map.of()))
                .isInstanceOf(ConvexException.Fatal.class).hasMessageContaining("Base version 7");
        assertThatThrownBy(() -> client.subscribe("counter:get", Map.of(), new RecordingQueryListener()))
                .isInstanceOf(ConvexException.Fatal.class);
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void failedMutationCarriesItsErrorCode() {
        connect(options());
        assertThatThrownBy(() -> client.mutation("messages:fail", Map.of()))
                .isInstanceOfSatisfying(ConvexException.FunctionError.class, error -> {
                    assertThat(error.code()).contains("NOPE");
                    assertThat(error.retryable()).isFalse();
                });
    }

    @Test
    void failedQueryCarriesItsErrorCode() {
        connect(options());
        RecordingQueryListener listener = new RecordingQueryListener();
        client.subscribe("messages:broken", Map.of(), listener);
        await().atMost(WAIT).until(() -> !listener.errors.isEmpty());
        assertThat(listener.errors.get(0).code()).contains("BROKEN");
    }

    @Test
    void unknownMutationIsAFunctionError() {
        connect(options());
        assertThatThrownBy(() -> client.mutation("nope:missing", Map.of()))
                .isInstanceOf(ConvexException.FunctionError.class).hasMessageContaining("Could not find public function");
    }

    @Test
    void unchainedTransitionMakesTheClientReconnect() {
        connect(options());
        client.mutation("counter:increment", Map.of());

        server.sendUnchainedTransition();

        await().atMost(WAIT).until(() -> connection.disconnects.contains("InvalidStartVersion"));
        await().atMost(WAIT).until(() -> server.connectionCount() == 2 && connection.reconnects.size() == 1);
        assertThat(client.mutation("counter:increment", Map.of())).isEqualTo(2L);
    }

    @Test
    void reconnectResubscribesAndDeliversFreshSnapshots() {
        connect(options());
        RecordingQueryListener listener = new RecordingQueryListener();
        client.subscribe("messages:list", Map.of(), listener);
        await().atMost(WAIT).until(() -> listener.values.contains(List.of()));

        server.setDown(true);
        await().atMost(WAIT).until(() -> connection.disconnects.size() == 1);
        server.update(() -> messages.add("while away"));
        server.setDown(false);

        await().atMost(WAIT).until(() -> listener.values.contains(List.of("while away")));
        await().atMost(WAIT).until(() -> connection.reconnects.size() == 1);
    }

    @Test
    void overloadCloseIsRecoveredFrom() {
        connect(options());
        client.mutation("counter:increment", Map.of());
        server.closeAllSockets(1013, "SubscriptionsWorkerFullError");
        await().atMost(WAIT).until(() -> connection.disconnects.contains("SubscriptionsWorkerFullError"));
        assertThat(client.mutation("counter:increment", Map.of())).isEqualTo(2L);
    }

    @Test
    void identicalSubscriptionsShareOneServerQuery() {
        connect(options());
        RecordingQueryListener first = new RecordingQueryListener();
        RecordingQueryListener second = new RecordingQueryListener();
        client.subscribe("counter:get", Map.of(), first);
        await().atMost(WAIT).until(() -> first.values.contains(0L));
        QuerySubscription secondSubscription = client.subscribe("counter:get", Map.of(), second);
        await().atMost(WAIT).until(() -> second.values.contains(0L));

        secondSubscription.close();
        client.mutation("counter:increment", Map.of());
        await().atMost(WAIT).until(() -> first.values.contains(1L));
        assertThat(second.values).containsExactly(0L);
    }

    @Test
    void pendingRequestsAreBounded() {
        connect(options().withMaxPendingRequests(2));
        client.mutation("counter:increment", Map.of());
        server.setTransitionDelay(HOLD);
        inBackground(() -> client.mutation("counter:increment", Map.of()));
        inBackground(() -> client.mutation("counter:increment", Map.of()));
        await().atMost(WAIT).until(() -> server.executions("counter:increment") == 3);

        assertThatThrownBy(() -> client.mutation("counter:increment", Map.of()))
                .isInstanceOf(ConvexException.TransportError.class).hasMessageContaining("Too many pending");
    }

    @Test
    void mutationTimesOutAndIsForgotten() {
        connect(options().withMutationTimeout(Duration.ofMillis(300)).withMaxPendingRequests(1));
        client.mutation("counter:increment", Map.of());
        server.setTransitionDelay(HOLD);

        assertThatThrownBy(() -> client.mutation("counter:increment", Map.of()))
                .isInstanceOf(ConvexException.TransportError.class).hasMessageContaining("no answer within 300 ms");

        server.setTransitionDelay(Duration.ZERO);
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.mutation("counter:increment", Map.of())).isEqualTo(3L));
    }

    @Test
    void asyncAnsweredMutationCompletesWithItsAnswerOffTheCallersThread() throws Exception {
        RecordingQueryListener listener = counterSubscribedWithTransitionsHeld();
        AtomicReference<Thread> completedOn = new AtomicReference<>();

        CompletableFuture<Object> answer = client.mutationAnsweredAsync("counter:increment", Map.of())
                .whenComplete((value, error) -> completedOn.set(Thread.currentThread()));

        assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo(1L);
        assertThat(completedOn.get()).isNotEqualTo(Thread.currentThread());
        assertThat(listener.values).as("the subscription has not seen the write yet").doesNotContain(1L);
    }

    @Test
    void asyncMutationWithoutAnAnswerFailsAfterTheMutationTimeoutAndIsForgotten() {
        connect(options().withMutationTimeout(Duration.ofMillis(300)).withMaxPendingRequests(1));
        client.mutation("counter:increment", Map.of());
        server.setSilent(true);

        CompletableFuture<Object> answer = client.mutationAnsweredAsync("counter:increment", Map.of());

        assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS)).cause()
                .isInstanceOf(ConvexException.TransportError.class).hasMessageContaining("no answer within 300 ms");
        server.setSilent(false);
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.mutation("counter:increment", Map.of()))
                .isEqualTo(3L));
    }

    @Test
    void concurrentCallersEachGetTheirOwnResult() {
        connect(options());
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            calls.add(inBackground(() -> client.mutation("counter:increment", Map.of())));
        }
        Set<Object> results = new HashSet<>();
        calls.forEach(call -> results.add(call.join()));

        assertThat(results).hasSize(40);
        assertThat(server.executions("counter:increment")).isEqualTo(40);
    }

    @Test
    void closeFailsPendingCallsAndStopsItsThreads() {
        connect(options());
        client.mutation("counter:increment", Map.of());
        server.setTransitionDelay(HOLD);
        CompletableFuture<Object> pending = inBackground(() -> client.mutation("counter:increment", Map.of()));
        await().atMost(WAIT).until(() -> server.executions("counter:increment") == 2);

        client.close();

        assertThatThrownBy(pending::join).cause().isInstanceOf(ConvexException.TransportError.class);
        assertThatThrownBy(() -> client.mutation("counter:increment", Map.of())).isInstanceOf(ConvexException.TransportError.class);
        await().atMost(WAIT).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().startsWith("convex-") && thread.isAlive()));
    }

    @Test
    void identifiesItselfAsJavaClient() {
        connect(options());
        client.mutation("counter:increment", Map.of());
        client.query("counter:get", Map.of());
        assertThat(server.clientVersions()).hasSizeGreaterThanOrEqualTo(2).allMatch(version -> version.startsWith("java-"));
    }

    @Test
    void queryRunsOverHttp() {
        connect(options());
        client.mutation("messages:send", Map.of("body", "hi"));
        assertThat(client.query("messages:list", Map.of())).isEqualTo(List.of("hi"));
    }

    private static final class RecordingQueryListener implements QueryListener {
        final List<Object> values = new CopyOnWriteArrayList<>();
        final List<ConvexException.FunctionError> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onUpdate(Object value) {
            assertThat(Thread.currentThread().getName()).isEqualTo("convex-callbacks");
            values.add(value);
        }

        @Override
        public void onError(ConvexException.FunctionError error) {
            errors.add(error);
        }
    }

    private static final class RecordingConnectionListener implements ConnectionListener {
        final List<String> disconnects = new CopyOnWriteArrayList<>();
        final List<Boolean> reconnects = new CopyOnWriteArrayList<>();
        final List<String> fatals = new CopyOnWriteArrayList<>();

        @Override
        public void onReconnected() {
            reconnects.add(true);
        }

        @Override
        public void onDisconnected(String reason) {
            disconnects.add(reason);
        }

        @Override
        public void onFatal(String message) {
            fatals.add(message);
        }
    }
}
