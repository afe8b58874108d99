package com.opencodeworker.infrastructure.convex;

import static com.opencodeworker.infrastructure.convex.ConvexBackendFixture.appended;
import static com.opencodeworker.infrastructure.convex.ConvexBackendFixture.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.domain.Chunk;
import com.opencodeworker.domain.ChunkKind;
import com.opencodeworker.domain.InstanceId;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.SessionStatus;
import com.opencodeworker.domain.WorkItem;
import com.opencodeworker.domain.WorkerId;
import com.opencodeworker.domain.port.Backend.MachineState;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The machine side of the contract through the adapter: connect, supersede, heartbeat, state, auth, workers, sessions. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConvexBackendMachineTest {
    private static final Duration WAIT = Duration.ofSeconds(3);

    private ConvexBackendFixture world;

    @BeforeEach
    void setUp() {
        world = new ConvexBackendFixture();
    }

    @AfterEach
    void tearDown() {
        world.close();
    }

    @Test
    void connectReturnsTheServerChosenIntervals() {
        world.backend.setConnectResult(5_000, 15_000);

        Backend.ConnectResult result = world.adapter().connect(REQUEST);

        assertThat(result).isEqualTo(new Backend.ConnectResult("laptop", 5_000, 15_000));
    }

    @Test
    void connectReturnsTheDefaultIntervals() {
        assertThat(world.adapter().connect(REQUEST)).isEqualTo(new Backend.ConnectResult("laptop", 30_000, 90_000));
    }

    @Test
    void connectMarksTheMachineOnlineWithWhatTheWorkerTold() {
        InstanceId instance = InstanceId.random();

        world.adapter(world.token, instance).connect(REQUEST);

        var machine = world.backend.machine(world.machineId);
        assertThat(machine.status()).isEqualTo("online");
        assertThat(machine.instanceId()).isEqualTo(instance.value());
        assertThat(List.of(machine.version(), machine.hostname(), machine.platform(), machine.rootDirectory()))
                .containsExactly("1.2.3", "devbox", "linux-x64", "/srv/code");
    }

    @Test
    void connectSupersedesTheEarlierInstance() {
        ConvexBackend first = world.connected();
        world.connected();

        assertThatThrownBy(() -> first.heartbeat(0))
                .isInstanceOf(BackendException.Superseded.class)
                .hasMessageContaining("another worker connected with this machine token from devbox");
    }

    static Stream<Arguments> everyMutationAfterConnect() {
        MessageId message = new MessageId("msg_9999");
        return Stream.of(
                Arguments.of("machines:heartbeat", (Consumer<Backend>) b -> b.heartbeat(1)),
                Arguments.of("machines:disconnect", (Consumer<Backend>) Backend::disconnect),
                Arguments.of("workers:setStatus", (Consumer<Backend>) b -> b.setWorkerStatus(new WorkerId("wrk_9999"), Optional.empty())),
                Arguments.of("sessions:update", (Consumer<Backend>) b -> b.updateSession(new SessionId("chat_9999"), Optional.of(SessionStatus.IDLE), Optional.empty())),
                Arguments.of("messages:claim", (Consumer<Backend>) b -> b.claim(message)),
                Arguments.of("messages:appendChunks", (Consumer<Backend>) b -> appended(b.appendChunks(message, 1, List.of(new Chunk(0, ChunkKind.TEXT, "x"))))),
                Arguments.of("messages:complete", (Consumer<Backend>) b -> b.complete(message, 1, new Backend.CompletedReply("x", Optional.empty(), Optional.empty(), Optional.empty()))),
                Arguments.of("messages:fail", (Consumer<Backend>) b -> b.fail(message, 1, "boom", false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMutationAfterConnect")
    void everyMutationOfASupersededInstanceFailsWithSuperseded(String function, Consumer<Backend> call) {
        ConvexBackend first = world.connected();
        world.connected();

        assertThatThrownBy(() -> call.accept(first)).isInstanceOf(BackendException.Superseded.class);
        assertThat(world.backend.calls()).last().satisfies(c -> {
            assertThat(c.function()).isEqualTo(function);
            assertThat(c.outcome()).isEqualTo("SUPERSEDED");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMutationAfterConnect")
    void everyMutationWithAWrongSecretIsUnauthorized(String function, Consumer<Backend> call) {
        world.connected();
        ConvexBackend intruder = world.adapter(world.machineId + ":sec_wrongsecret1", InstanceId.random());

        assertThatThrownBy(() -> call.accept(intruder)).isInstanceOf(BackendException.Unauthorized.class);
    }

    @Test
    void supersedingReleasesTheEarlierInstancesClaimsWithTheirAttempt() {
        String message = world.send("hello");
        world.connected().claim(new MessageId(message));

        world.connected();

        var view = world.backend.message(message);
        assertThat(view.status()).isEqualTo("pending");
        assertThat(view.attempt()).isEqualTo(1);
        assertThat(view.claimedBy()).isNull();
    }

    @Test
    void supersededInstanceWritesNothingAfterwards() {
        String message = world.send("hello");
        ConvexBackend first = world.connected();
        Backend.Claimed claim = (Backend.Claimed) first.claim(new MessageId(message));
        world.connected();

        assertThatThrownBy(() -> appended(first.appendChunks(new MessageId(message), claim.attempt(),
                List.of(new Chunk(0, ChunkKind.TEXT, "late"))))).isInstanceOf(BackendException.Superseded.class);

        assertThat(world.backend.chunks(message, claim.attempt())).isEmpty();
    }

    @Test
    void connectWithAWrongSecretIsUnauthorized() {
        ConvexBackend intruder = world.adapter(world.machineId + ":sec_wrongsecret1", InstanceId.random());

        assertThatThrownBy(() -> intruder.connect(REQUEST)).isInstanceOf(BackendException.Unauthorized.class);
    }

    @Test
    void connectOfAnUnknownMachineIsUnauthorized() {
        ConvexBackend stranger = world.adapter("mch_unknown:" + world.secret(), InstanceId.random());

        assertThatThrownBy(() -> stranger.connect(REQUEST)).isInstanceOf(BackendException.Unauthorized.class);
    }

    @Test
    void queriesWithAWrongSecretAreUnauthorized() {
        ConvexBackend intruder = world.adapter(world.machineId + ":sec_wrongsecret1", InstanceId.random());

        assertThatThrownBy(intruder::fetchState).isInstanceOf(BackendException.Unauthorized.class);
        assertThatThrownBy(intruder::fetchWork).isInstanceOf(BackendException.Unauthorized.class);
    }

    @Test
    void heartbeatReturnsTheRenewedLease() {
        ConvexBackend adapter = world.connected();
        world.advance(1_000);

        assertThat(adapter.heartbeat(2)).isEqualTo(world.now() + 90_000);
        assertThat(world.backend.machine(world.machineId).heartbeatCount()).isEqualTo(1);
    }

    @Test
    void heartbeatRenewsTheLeaseOfClaimedMessages() {
        String message = world.send("hello");
        ConvexBackend adapter = world.connected();
        adapter.claim(new MessageId(message));
        world.advance(60_000);

        adapter.heartbeat(1);

        assertThat(world.backend.message(message).leaseExpiresAt()).isEqualTo(world.now() + 90_000);
    }

    @Test
    void disconnectMarksTheMachineOfflineAndReleasesClaims() {
        String message = world.send("hello");
        ConvexBackend adapter = world.connected();
        adapter.claim(new MessageId(message));

        adapter.disconnect();

        assertThat(world.backend.machine(world.machineId).status()).isEqualTo("offline");
        assertThat(world.backend.message(message).status()).isEqualTo("pending");
        assertThat(world.backend.message(message).attempt()).isEqualTo(1);
    }

    @Test
    void heartbeatAfterDisconnectBringsTheMachineBack() {
        ConvexBackend adapter = world.connected();
        adapter.disconnect();

        adapter.heartbeat(0);

        assertThat(world.backend.machine(world.machineId).status()).isEqualTo("online");
    }

    @Test
    void machineWithoutHeartbeatForThreeIntervalsShowsOffline() {
        world.connected();

        world.advance(3 * 30_000 + 1);

        assertThat(world.backend.machine(world.machineId).status()).isEqualTo("offline");
    }

    @Test
    void fetchStateReturnsTheWorkersAndSessions() {
        MachineState state = world.adapter().fetchState();

        assertThat(state.workers()).singleElement().satisfies(w -> {
            assertThat(w.id()).isEqualTo(new WorkerId(world.workerId));
            assertThat(w.name()).isEqualTo("api");
            assertThat(w.directory()).isEqualTo("projects/api");
            assertThat(w.createdAt()).isEqualTo(ConvexBackendFixture.START);
        });
        assertThat(state.sessions()).singleElement().satisfies(s -> {
            assertThat(s.id()).isEqualTo(new SessionId(world.sessionId));
            assertThat(s.workerId()).isEqualTo(new WorkerId(world.workerId));
            assertThat(s.status()).isEqualTo(SessionStatus.IDLE);
            assertThat(s.openCodeSessionId()).isEmpty();
        });
    }

    @Test
    void stateSubscriptionDeliversANewSnapshotAfterAChange() {
        AtomicReference<MachineState> latest = new AtomicReference<>();
        world.adapter().subscribeState(latest::set);
        await().atMost(WAIT).until(() -> latest.get() != null && latest.get().workers().size() == 1);

        world.convex.update(() -> world.backend.createWorker(world.machineId, "web", "projects/web"));

        await().atMost(WAIT).until(() -> latest.get().workers().size() == 2);
    }

    @Test
    void stateDoesNotShowAnotherMachinesWorkers() {
        String other = world.backend.createMachine("other");
        world.backend.createWorker(other.substring(0, other.indexOf(':')), "theirs", "x");

        assertThat(world.adapter().fetchState().workers()).extracting(w -> w.name()).containsExactly("api");
    }

    @Test
    void onReconnectRunsTheListenerWhenTheConnectionCameBack() throws InterruptedException {
        CountDownLatch reconnected = new CountDownLatch(1);
        world.adapter().onReconnect(reconnected::countDown);

        world.convex.simulateReconnect();

        assertThat(reconnected.await(3, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void closingASubscriptionRemovesTheQuery() {
        Backend.Subscription subscription = world.adapter().subscribeWork(items -> { });
        assertThat(world.convex.subscriptionCount()).isEqualTo(1);

        subscription.close();

        assertThat(world.convex.subscriptionCount()).isZero();
    }

    @Test
    void closeEndsSubscriptionsAndRefusesLaterCalls() {
        ConvexBackend adapter = world.adapter();
        adapter.subscribeState(state -> { });
        adapter.subscribeWork(items -> { });

        adapter.close();

        assertThat(world.convex.subscriptionCount()).isZero();
        assertThatThrownBy(adapter::fetchWork).isInstanceOf(BackendException.class)
                .satisfies(e -> assertThat(((BackendException) e).retryable()).isFalse());
        assertThatThrownBy(() -> adapter.subscribeWork(items -> { })).isInstanceOf(BackendException.class);
    }

    @Test
    void setWorkerStatusReadySendsANullError() {
        ConvexBackend adapter = world.connected();

        adapter.setWorkerStatus(new WorkerId(world.workerId), Optional.empty());

        assertThat(world.backend.worker(world.workerId).status()).isEqualTo("ready");
        assertThat(world.lastArgs("workers:setStatus")).containsEntry("status", "ready").containsEntry("error", null);
    }

    @Test
    void setWorkerStatusErrorStoresTheError() {
        ConvexBackend adapter = world.connected();

        adapter.setWorkerStatus(new WorkerId(world.workerId), Optional.of("Directory not found: projects/api"));

        var worker = world.backend.worker(world.workerId);
        assertThat(worker.status()).isEqualTo("error");
        assertThat(worker.error()).isEqualTo("Directory not found: projects/api");
    }

    @Test
    void setWorkerStatusOfAnUnknownWorkerIsNotFound() {
        ConvexBackend adapter = world.connected();

        assertThatThrownBy(() -> adapter.setWorkerStatus(new WorkerId("wrk_nope"), Optional.empty()))
                .isInstanceOf(BackendException.NotFound.class);
    }

    @Test
    void setWorkerStatusOfAnotherMachinesWorkerIsUnauthorized() {
        String other = world.backend.createMachine("other");
        String theirs = world.backend.createWorker(other.substring(0, other.indexOf(':')), "theirs", "x");
        ConvexBackend adapter = world.connected();

        assertThatThrownBy(() -> adapter.setWorkerStatus(new WorkerId(theirs), Optional.empty()))
                .isInstanceOf(BackendException.Unauthorized.class);
    }

    @Test
    void updateSessionStoresStatusAndOpenCodeSession() {
        ConvexBackend adapter = world.connected();

        adapter.updateSession(new SessionId(world.sessionId), Optional.of(SessionStatus.ACTIVE),
                Optional.of(new OpenCodeSessionId("ses_abc")));

        var session = world.backend.session(world.sessionId);
        assertThat(session.status()).isEqualTo("active");
        assertThat(session.opencodeSessionId()).isEqualTo("ses_abc");
    }

    @Test
    void updateSessionOmitsAbsentFields() {
        world.backend.setOpencodeSession(world.sessionId, "ses_kept");
        ConvexBackend adapter = world.connected();

        adapter.updateSession(new SessionId(world.sessionId), Optional.of(SessionStatus.IDLE), Optional.empty());

        assertThat(world.lastArgs("sessions:update")).containsKey("status").doesNotContainKey("opencodeSessionId");
        assertThat(world.backend.session(world.sessionId).opencodeSessionId()).isEqualTo("ses_kept");
    }

    @Test
    void updateSessionWithOnlyTheOpenCodeSessionLeavesTheStatus() {
        ConvexBackend adapter = world.connected();
        adapter.updateSession(new SessionId(world.sessionId), Optional.of(SessionStatus.ACTIVE), Optional.empty());

        adapter.updateSession(new SessionId(world.sessionId), Optional.empty(), Optional.of(new OpenCodeSessionId("ses_new")));

        assertThat(world.lastArgs("sessions:update")).doesNotContainKey("status");
        assertThat(world.backend.session(world.sessionId).status()).isEqualTo("active");
    }

    @Test
    void updateSessionToClosedIsRefusedBeforeSending() {
        ConvexBackend adapter = world.connected();

        assertThatThrownBy(() -> adapter.updateSession(new SessionId(world.sessionId), Optional.of(SessionStatus.CLOSED),
                Optional.empty())).isInstanceOf(IllegalArgumentException.class);
        assertThat(world.backend.session(world.sessionId).updateCount()).isZero();
    }

    @Test
    void updateSessionOfAnotherMachinesSessionIsUnauthorized() {
        String other = world.backend.createMachine("other");
        String theirs = world.backend.createSession(
                world.backend.createWorker(other.substring(0, other.indexOf(':')), "theirs", "x"));
        ConvexBackend adapter = world.connected();

        assertThatThrownBy(() -> adapter.updateSession(new SessionId(theirs), Optional.of(SessionStatus.IDLE),
                Optional.empty())).isInstanceOf(BackendException.Unauthorized.class);
    }

    @Test
    void messagesOfAnotherMachineAreUnauthorized() {
        String other = world.backend.createMachine("other");
        String theirSession = world.backend.createSession(
                world.backend.createWorker(other.substring(0, other.indexOf(':')), "theirs", "x"));
        MessageId theirs = new MessageId(world.backend.sendMessage(theirSession, "hi", null));
        ConvexBackend adapter = world.connected();

        assertThatThrownBy(() -> adapter.claim(theirs)).isInstanceOf(BackendException.Unauthorized.class);
        assertThatThrownBy(() -> appended(adapter.appendChunks(theirs, 1, List.of()))).isInstanceOf(BackendException.Unauthorized.class);
        assertThatThrownBy(() -> adapter.fail(theirs, 1, "x", false)).isInstanceOf(BackendException.Unauthorized.class);
        assertThat(world.adapter().fetchWork()).extracting(WorkItem::messageId).doesNotContain(theirs);
    }
}
