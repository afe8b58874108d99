package com.opencodeworker.presentation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.application.Sleeper;
import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.InstanceId;
import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.SessionStatus;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.Clock;
import com.opencodeworker.infrastructure.convex.ConvexBackend;
import com.opencodeworker.testing.assistant.ScriptedAssistant;
import com.opencodeworker.testing.convex.FakeBackend;
import com.opencodeworker.testing.convex.InProcessConvex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The whole worker loop against the contract's in-memory backend and a scripted assistant. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MachineServerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path root;
    private final FakeBackend backend = new FakeBackend(Clock.system());
    private final InProcessConvex convex = new InProcessConvex();
    private final ScriptedAssistant assistant = new ScriptedAssistant();
    private MachineToken token;
    private String workerId;
    private String sessionId;
    private CompletableFuture<ExitCode> running;
    private MachineServer server;

    @BeforeEach
    void setUp() throws IOException {
        backend.installOn(convex);
        backend.setConnectResult(200, 2000);
        Files.createDirectories(root.resolve("project"));
        token = MachineToken.parse(convex.updateAndGet(() -> backend.createMachine("Laptop")));
        workerId = convex.updateAndGet(() -> backend.createWorker(token.machineId().value(), "Project", "project"));
        sessionId = convex.updateAndGet(() -> backend.createSession(workerId));
    }

    @AfterEach
    void tearDown() {
        assistant.release();
        if (server != null) {
            server.requestStop();
            server.requestStop();
        }
        if (running != null) {
            running.handle((code, error) -> code).orTimeout(20, TimeUnit.SECONDS).join();
        }
        convex.close();
    }

    private MachineServer server(Duration idleTimeout, Duration grace) throws IOException {
        return server(idleTimeout, grace, Duration.ofSeconds(30));
    }

    private MachineServer server(Duration idleTimeout, Duration grace, Duration syncInterval) throws IOException {
        MachineServer.Settings settings = new MachineServer.Settings(token.machineId(), InstanceId.random(),
                "https://test.convex.cloud", root.toRealPath(), idleTimeout, syncInterval, 4, grace,
                "0.1.0", "host", "linux-amd64");
        return new MachineServer(settings, new ConvexBackend(convex, token, settings.instanceId()), assistant,
                Clock.system(), Sleeper.system());
    }

    private void start(Duration idleTimeout, Duration grace) throws IOException {
        startWith(server(idleTimeout, grace));
    }

    private void startWith(MachineServer configured) {
        server = configured;
        running = CompletableFuture.supplyAsync(() -> {
            try {
                return server.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(WAIT).until(() -> "online".equals(backend.machine(token.machineId().value()).status()));
    }

    private void start() throws IOException {
        start(Duration.ofMinutes(5), Duration.ofSeconds(5));
    }

    private String send(String text) {
        return convex.updateAndGet(() -> backend.sendMessage(sessionId, text, null));
    }

    private FakeBackend.MessageView message(String id) {
        return backend.message(id);
    }

    private String chunkText(String id) {
        FakeBackend.MessageView view = message(id);
        return backend.chunks(id, view.attempt()).stream().filter(c -> c.kind().equals("text"))
                .map(FakeBackend.ChunkView::text).collect(Collectors.joining());
    }

    @Test
    void workersAreReportedReadyOrInErrorAtStart() throws IOException {
        String broken = convex.updateAndGet(() -> backend.createWorker(token.machineId().value(), "Gone", "../gone"));

        start();

        await().atMost(WAIT).until(() -> "ready".equals(backend.worker(workerId).status()));
        await().atMost(WAIT).until(() -> "error".equals(backend.worker(broken).status()));
        assertThat(backend.worker(broken).error()).contains("outside the root");
    }

    @Test
    void aMessageIsStreamedAndCompletedOnce() throws IOException {
        start();

        String id = send("hello");

        await().atMost(WAIT).until(() -> "completed".equals(message(id).status()));
        assertThat(message(id).content()).isEqualTo("Echo: hello");
        assertThat(message(id).terminalOutcomes()).containsExactly("completed");
        assertThat(chunkText(id)).isEqualTo("Echo: hello");
        assertThat(backend.session(sessionId).opencodeSessionId()).startsWith("ses_scripted");
        assertThat(backend.session(sessionId).status()).isEqualTo("active");
    }

    @Test
    void messagesOfOneSessionAreAnsweredInOrder() throws IOException {
        start();

        List<String> ids = List.of(send("one"), send("two"), send("three"));

        await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> "completed".equals(message(id).status())));
        assertThat(assistant.prompts()).extracting(ScriptedAssistant.Prompt::text).containsExactly("one", "two", "three");
    }

    @Test
    void aWorkItemWaitingBeforeTheStartIsAnswered() throws IOException {
        String id = send("queued while offline");

        start();

        await().atMost(WAIT).until(() -> "completed".equals(message(id).status()));
    }

    @Test
    void anIdleSessionIsStoppedAndItsNextMessageResumesTheSameConversation() throws IOException {
        start(Duration.ofMillis(300), Duration.ofSeconds(5));
        String first = send("first");
        await().atMost(WAIT).until(() -> "completed".equals(message(first).status()));
        String conversation = backend.session(sessionId).opencodeSessionId();

        await().atMost(WAIT).until(() -> "idle".equals(backend.session(sessionId).status()));
        assertThat(assistant.alive()).isZero();
        String second = send("second");

        await().atMost(WAIT).until(() -> "completed".equals(message(second).status()));
        assertThat(assistant.started()).hasSize(2);
        assertThat(assistant.prompts()).extracting(ScriptedAssistant.Prompt::session).map(Object::toString)
                .containsOnly(conversation);
        assertThat(backend.session(sessionId).status()).isEqualTo("active");
    }

    @Test
    void aCancelMidReplyCompletesWithThePartialText() throws IOException {
        start();
        assistant.holdReplies();
        String id = send("long");
        await().atMost(WAIT).until(() -> chunkText(id).equals("Echo: "));

        convex.update(() -> backend.cancel(id));

        await().atMost(WAIT).until(() -> "completed".equals(message(id).status()));
        assertThat(message(id).content()).isEqualTo("Echo: ");
    }

    @Test
    void aStopLetsTheRunningReplyFinishThenDisconnects() throws Exception {
        start();
        assistant.holdReplies();
        String id = send("finish me");
        await().atMost(WAIT).until(() -> chunkText(id).equals("Echo: "));

        server.requestStop();
        assistant.release();

        assertThat(running.get(20, TimeUnit.SECONDS)).isEqualTo(ExitCode.OK);
        assertThat(message(id).content()).isEqualTo("Echo: finish me");
        assertThat(backend.machine(token.machineId().value()).status()).isEqualTo("offline");
        assertThat(assistant.alive()).isZero();
    }

    @Test
    void aSecondStopAbortsTheRunningReplyAndCompletesItWithWhatExists() throws Exception {
        start();
        assistant.holdReplies();
        String id = send("cut me");
        await().atMost(WAIT).until(() -> chunkText(id).equals("Echo: "));

        server.requestStop();
        server.requestStop();

        assertThat(running.get(20, TimeUnit.SECONDS)).isEqualTo(ExitCode.OK);
        assertThat(message(id).status()).isEqualTo("completed");
        assertThat(message(id).content()).isEqualTo("Echo: ");
        assertThat(assistant.alive()).isZero();
    }

    @Test
    void theGraceRunningOutAbortsTheReply() throws Exception {
        start(Duration.ofMinutes(5), Duration.ofMillis(200));
        assistant.holdReplies();
        String id = send("too slow");
        await().atMost(WAIT).until(() -> chunkText(id).equals("Echo: "));

        server.requestStop();

        assertThat(running.get(20, TimeUnit.SECONDS)).isEqualTo(ExitCode.OK);
        assertThat(message(id).content()).isEqualTo("Echo: ");
    }

    @Test
    void beingSupersededStopsAllWorkAndExitsWithCode4() throws Exception {
        start();
        assistant.holdReplies();
        String id = send("streaming");
        await().atMost(WAIT).until(() -> chunkText(id).equals("Echo: "));

        MachineServer second = server(Duration.ofMinutes(5), Duration.ofSeconds(5));
        CompletableFuture<ExitCode> secondRun = CompletableFuture.supplyAsync(() -> {
            try {
                return second.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        assertThatThrownBy(() -> running.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(WorkerException.class)
                .cause().satisfies(e -> assertThat(((WorkerException) e).exitCode()).isEqualTo(ExitCode.SUPERSEDED));
        running = null;
        assistant.release();
        await().atMost(WAIT).until(() -> "completed".equals(message(id).status())
                || "failed".equals(message(id).status()));
        assertThat(message(id).terminalOutcomes()).hasSize(1);
        second.requestStop();
        second.requestStop();
        assertThat(secondRun.get(20, TimeUnit.SECONDS)).isEqualTo(ExitCode.OK);
    }

    @Test
    void aTokenRevokedWhileRunningStopsTheWorkerWithCode3AndAbandonsTheReplyInFlight() throws Exception {
        start();
        assistant.holdReplies();
        String id = send("streaming");
        await().atMost(WAIT).until(() -> chunkText(id).equals("Echo: "));

        convex.updateAndGet(() -> backend.rotateToken(token.machineId().value()));

        assertThatThrownBy(() -> running.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(WorkerException.class)
                .cause().satisfies(e -> assertThat(((WorkerException) e).exitCode()).isEqualTo(ExitCode.AUTH_REJECTED))
                .hasMessageContaining("no longer accepts the machine token")
                .hasMessageContaining("--token or MACHINE_TOKEN");
        running = null;
        assertThat(assistant.alive()).as("OpenCode processes left").isZero();
        assertThat(message(id).terminalOutcomes()).isEmpty();
        assertThat(chunkText(id)).isEqualTo("Echo: ");
    }

    @Test
    void aRejectedTokenEndsTheWorkerWithCode3() throws IOException {
        MachineToken wrong = MachineToken.parse(token.machineId().value() + ":sec_wrongwrongwrong");
        MachineServer.Settings settings = new MachineServer.Settings(token.machineId(), InstanceId.random(),
                "https://test.convex.cloud", root.toRealPath(), Duration.ofMinutes(5), Duration.ofSeconds(30), 4,
                Duration.ofSeconds(1), "0.1.0", "host", "linux-amd64");
        MachineServer rejected = new MachineServer(settings, new ConvexBackend(convex, wrong, settings.instanceId()),
                assistant, Clock.system(), Sleeper.system());

        assertThatThrownBy(rejected::run).isInstanceOf(WorkerException.class)
                .satisfies(e -> assertThat(((WorkerException) e).exitCode()).isEqualTo(ExitCode.AUTH_REJECTED))
                .hasMessageContaining("Machine token rejected by https://test.convex.cloud")
                .hasMessageNotContaining("sec_wrong");
    }

    @Test
    void aMessageForAWorkerInErrorIsFailedWithThatError() throws IOException {
        String broken = convex.updateAndGet(() -> backend.createWorker(token.machineId().value(), "Gone", "missing"));
        String brokenSession = convex.updateAndGet(() -> backend.createSession(broken));
        start();

        String id = convex.updateAndGet(() -> backend.sendMessage(brokenSession, "hi", null));

        await().atMost(WAIT).until(() -> "failed".equals(message(id).status()));
        assertThat(message(id).error()).startsWith("Directory not found");
        assertThat(message(id).retryable()).isFalse();
    }

    @Test
    void aStopMarksTheSessionsItServedIdle() throws Exception {
        start();
        String id = send("hello");
        await().atMost(WAIT).until(() -> "completed".equals(message(id).status()));
        assertThat(backend.session(sessionId).status()).isEqualTo("active");

        server.requestStop();

        assertThat(running.get(20, TimeUnit.SECONDS)).isEqualTo(ExitCode.OK);
        assertThat(backend.session(sessionId).status()).isEqualTo("idle");
    }

    @Test
    void sessionsLeftActiveByAnEarlierInstanceAreMarkedIdleAtStart() throws IOException {
        InstanceId earlier = InstanceId.random();
        ConvexBackend crashed = new ConvexBackend(convex, token, earlier);
        crashed.connect(new Backend.ConnectRequest("0.1.0", "host", "linux", "/"));
        crashed.updateSession(new SessionId(sessionId),
                Optional.of(SessionStatus.ACTIVE), Optional.empty());
        assertThat(backend.session(sessionId).status()).isEqualTo("active");

        start();

        await().atMost(WAIT).until(() -> "idle".equals(backend.session(sessionId).status()));
    }

    @Test
    void aMessageTheSubscriptionMissedIsFoundByThePeriodicSync() throws IOException {
        backend.setConnectResult(60_000, 90_000);
        startWith(server(Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofMillis(300)));
        await().atMost(WAIT).until(() -> "ready".equals(backend.worker(workerId).status()));

        String id = backend.sendMessage(sessionId, "not pushed", null);

        await().atMost(WAIT).until(() -> "completed".equals(message(id).status()));
    }

    @Test
    void aMessageHeldByAnotherInstanceIsAnsweredOnceItsLeaseRunsOutWithNoNewSnapshot() throws IOException {
        backend.setConnectResult(60_000, 1_500);
        startWith(server(Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofHours(1)));
        await().atMost(WAIT).until(() -> "ready".equals(backend.worker(workerId).status()));

        // Listed as held by an instance that went silent: nothing changes in the backend when its lease ends.
        String id = convex.updateAndGet(() -> {
            String sent = backend.sendMessage(sessionId, "left behind", null);
            backend.claimAs(sent, InstanceId.random().value());
            return sent;
        });

        await().atMost(WAIT).until(() -> "completed".equals(message(id).status()));
        assertThat(message(id).terminalOutcomes()).containsExactly("completed");
    }

    @Test
    void aReconnectRereadsTheWork() throws IOException {
        backend.setConnectResult(60_000, 90_000);
        startWith(server(Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofHours(1)));
        await().atMost(WAIT).until(() -> "ready".equals(backend.worker(workerId).status()));
        String id = backend.sendMessage(sessionId, "not pushed", null);

        convex.simulateReconnect();

        await().atMost(WAIT).until(() -> "completed".equals(message(id).status()));
    }

    @Test
    void heartbeatsFollowTheIntervalTheBackendChose() throws IOException {
        start();

        await().atMost(WAIT).until(() -> backend.machine(token.machineId().value()).heartbeatCount() >= 3);
        assertThat(backend.machine(token.machineId().value()).status()).isEqualTo("online");
    }
}
