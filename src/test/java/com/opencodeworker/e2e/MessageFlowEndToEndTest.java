package com.opencodeworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.testing.deployment.TestDeployment;
import com.opencodeworker.testing.model.FakeModelServer;
import com.opencodeworker.testing.worker.Deployment;
import com.opencodeworker.testing.worker.Invariants;
import com.opencodeworker.testing.worker.ProcessProbe;
import com.opencodeworker.testing.worker.WorkerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path, over real sockets: the project's Convex functions on the test deployment (the real
 * sync protocol) → the worker → the real {@code opencode serve} → the fake model, and back. Every
 * assertion reads the deployment, never the worker's logs.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MessageFlowEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path base;
    private Deployment deployment;

    @BeforeEach
    void setUp() {
        deployment = new Deployment(base);
        deployment.model().setSlowDelay(Duration.ofMillis(40));
    }

    @AfterEach
    void tearDown() {
        deployment.closeLeavingNoOpenCode();
    }

    private void awaitEnded(String... messages) {
        await().atMost(WAIT).until(() -> List.of(messages).stream().allMatch(deployment::ended));
    }

    private void assertContiguousChunks(String messageId) {
        Invariants.assertContiguousChunks(deployment, messageId, deployment.message(messageId).attempt(), messageId);
    }

    @Test
    void aSlowReplyStreamsInSeveralOrderedChunksAndCompletesWithTheModelsText() {
        String session = deployment.createSession(deployment.createWorker("project"));
        deployment.startWorker();

        long sent = System.nanoTime();
        String id = deployment.send(session, FakeModelServer.SLOW + " count for me");
        await().atMost(WAIT).until(() -> deployment.streamedText(id).length() > 0);
        assertThat(deployment.ended(id)).isFalse();
        awaitEnded(id);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

        Deployment.MessageView view = deployment.message(id);
        assertThat(view.status()).isEqualTo("completed");
        assertThat(view.terminalOutcomes()).containsExactly("completed");
        assertThat(view.content()).isNotBlank().isEqualTo(deployment.streamedText(id));
        assertThat(deployment.chunks(id, view.attempt())).hasSizeGreaterThan(1);
        assertContiguousChunks(id);
        assertThat(deployment.appendCalls(id)).isGreaterThan(1).isLessThanOrEqualTo(2 + elapsedMs / 100);
        assertThat(view.usage()).isNotNull();
    }

    @Test
    void repliesOfTwoWorkersAndTwoSessionsEachComeFromTheirOwnDirectoryInOrder() {
        // Four OpenCode servers start one after another (a start takes seconds on a busy machine).
        String alpha = deployment.createWorker("alpha");
        String beta = deployment.createWorker("beta");
        List<String> sessions = List.of(deployment.createSession(alpha), deployment.createSession(alpha),
                deployment.createSession(beta), deployment.createSession(beta));
        deployment.startWorker();

        List<String> first = sessions.stream().map(s -> deployment.send(s, "first")).toList();
        List<String> second = sessions.stream().map(s -> deployment.send(s, "second")).toList();
        await().atMost(WAIT.multipliedBy(3)).until(() -> first.stream().allMatch(deployment::ended));
        awaitEnded(second.toArray(String[]::new));

        for (int i = 0; i < sessions.size(); i++) {
            String directory = deployment.root().resolve(i < 2 ? "alpha" : "beta").toString();
            assertThat(deployment.message(first.get(i)).content()).contains("user turns seen: 1").contains(directory);
            assertThat(deployment.message(second.get(i)).content()).contains("user turns seen: 2").contains(directory);
        }
    }

    @Test
    void anIdleSessionLosesItsProcessAndItsNextMessageContinuesTheConversation() {
        String session = deployment.createSession(deployment.createWorker("project"));
        deployment.startWorker(Duration.ofMillis(1500), Duration.ofSeconds(10));
        String first = deployment.send(session, "remember me");
        awaitEnded(first);

        await().atMost(WAIT).until(() -> "idle".equals(deployment.sessionStatus(session)));
        assertThat(ProcessProbe.openCodeUnder(deployment.root())).isEmpty();
        String second = deployment.send(session, "do you remember");
        awaitEnded(second);

        assertThat(deployment.message(second).content()).contains("user turns seen: 2");
        assertThat(deployment.sessionStatus(session)).isEqualTo("active");
    }

    @Test
    void aWorkerKilledMidReplyIsReplacedAndTheMessageEndsExactlyOnce() throws InterruptedException {
        deployment.model().setSlowDelay(Duration.ofMillis(200));
        String session = deployment.createSession(deployment.createWorker("project"));
        WorkerProcess first = deployment.startProcess();
        String id = deployment.send(session, FakeModelServer.SLOW + " interrupted");
        await().atMost(WAIT).until(() -> deployment.streamedText(id).length() > 0);
        List<ProcessHandle> firstOpenCode = ProcessProbe.openCodeUnder(deployment.root());
        assertThat(firstOpenCode).isNotEmpty();

        first.kill();
        first.awaitExit(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(20)).until(() -> firstOpenCode.stream().noneMatch(ProcessHandle::isAlive));
        WorkerProcess second = deployment.startProcess();
        awaitEnded(id);

        Deployment.MessageView view = deployment.message(id);
        assertThat(view.terminalOutcomes()).hasSize(1);
        if (view.status().equals("failed")) {
            assertThat(view.error()).isEqualTo("interrupted by a worker restart");
            assertThat(view.retryable()).isTrue();
        }
        assertThat(view.attempt()).isEqualTo(2);
        long prompts = deployment.model().chatRequests().stream()
                .filter(r -> r.toString().contains("interrupted")).count();
        assertThat(prompts).as("the prompt reached the model once").isEqualTo(1);
        second.terminate();
        assertThat(second.awaitExit(Duration.ofSeconds(30))).isZero();
    }

    @Test
    void aReplyThatFinishedBeforeACrashIsCompletedFromOpenCodesRecordWithoutPromptingAgain()
            throws InterruptedException {
        String session = deployment.createSession(deployment.createWorker("project"));
        WorkerProcess first = deployment.startProcess();
        await().atMost(WAIT).until(() -> "online".equals(deployment.machineStatus()));
        int connections = deployment.convex().connectionCount();
        deployment.convex().dropSocketOnMutation("messages:complete", 1000, false);
        String id = deployment.send(session, "record me");
        await().atMost(WAIT).until(() -> deployment.convex().connectionCount() >= connections + 2);

        first.kill();
        first.awaitExit(Duration.ofSeconds(10));
        deployment.convex().dropSocketOnMutation("messages:complete", 0, false);
        assertThat(deployment.message(id).status()).isNotEqualTo("completed");
        WorkerProcess second = deployment.startProcess();
        awaitEnded(id);

        Deployment.MessageView view = deployment.message(id);
        assertThat(view.status()).isEqualTo("completed");
        assertThat(view.attempt()).isEqualTo(2);
        assertThat(view.content()).startsWith("Hello from fake model (user turns seen: 1)");
        assertThat(deployment.model().chatRequests().stream().filter(r -> r.toString().contains("record me")))
                .as("the prompt reached the model once").hasSize(1);
        second.terminate();
        assertThat(second.awaitExit(Duration.ofSeconds(30))).isZero();
    }

    @Test
    void aSecondWorkerWithTheSameTokenMakesTheFirstExitWithCode4() throws InterruptedException {
        // Slow enough that the reply outlasts the start of a second JVM on a busy machine.
        deployment.model().setSlowDelay(Duration.ofMillis(500));
        String session = deployment.createSession(deployment.createWorker("project"));
        WorkerProcess first = deployment.startProcess();
        String id = deployment.send(session, FakeModelServer.SLOW + " streaming");
        await().atMost(WAIT).until(() -> deployment.streamedText(id).length() > 0);
        String firstInstance = deployment.message(id).claimedBy();

        WorkerProcess second = deployment.startProcessAsAnotherHost();

        assertThat(first.awaitExit(Duration.ofSeconds(30))).isEqualTo(ExitCode.SUPERSEDED.code());
        assertThat(first.stderr()).contains("another worker connected with this machine token");
        awaitEnded(id);
        List<TestDeployment.Call> calls = deployment.calls();
        int secondClaim = -1;
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).function().equals("messages:claim") && !firstInstance.equals(calls.get(i).instanceId())) {
                secondClaim = i;
                break;
            }
        }
        assertThat(secondClaim).as("a claim by the second worker among %s", calls).isNotNegative();
        assertThat(calls.subList(secondClaim, calls.size()))
                .filteredOn(c -> firstInstance.equals(c.instanceId()))
                .allMatch(c -> !c.outcome().equals("ok"), "no successful write by the first worker");
        assertThat(deployment.message(id).terminalOutcomes()).hasSize(1);
        second.terminate();
        second.awaitExit(Duration.ofSeconds(30));
    }

    @Test
    void aCancelMidReplyAbortsOpenCodeAndCompletesWithThePartialText() {
        String session = deployment.createSession(deployment.createWorker("project"));
        deployment.startWorker();
        String id = deployment.send(session, FakeModelServer.SLOW + " stop me");
        await().atMost(WAIT).until(() -> deployment.streamedText(id).length() > 0);

        deployment.cancel(id);
        awaitEnded(id);

        Deployment.MessageView view = deployment.message(id);
        assertThat(view.status()).isEqualTo("completed");
        assertThat(view.content()).isNotEmpty().isEqualTo(deployment.streamedText(id));
        assertThat(FakeModelServer.ticks(view.content())).isLessThan(FakeModelServer.SLOW_CHUNKS);
    }

    @Test
    void droppedWebSocketsMidReplyStillEndInOneCompleteReplyWithContiguousChunks() {
        String session = deployment.createSession(deployment.createWorker("project"));
        deployment.startWorker();
        String id = deployment.send(session, FakeModelServer.SLOW + " through the storm");
        await().atMost(WAIT).until(() -> deployment.streamedText(id).length() > 0);

        deployment.convex().dropAllSockets();
        await().atMost(WAIT).until(() -> deployment.convex().openSocketCount() > 0);
        deployment.convex().dropAllSockets();
        awaitEnded(id);

        Deployment.MessageView view = deployment.message(id);
        assertThat(view.terminalOutcomes()).containsExactly("completed");
        assertThat(view.content()).isEqualTo(deployment.streamedText(id));
        assertContiguousChunks(id);
    }

    @Test
    void sigtermMidReplyLetsTheReplyFinishThenDisconnectsAndExitsZero() throws InterruptedException {
        deployment.model().setSlowDelay(Duration.ofMillis(100));
        String session = deployment.createSession(deployment.createWorker("project"));
        WorkerProcess worker = deployment.startProcess("--shutdown-grace", "30000");
        String id = deployment.send(session, FakeModelServer.SLOW + " finish me");
        await().atMost(WAIT).until(() -> deployment.streamedText(id).length() > 0);

        worker.terminate();

        assertThat(worker.awaitExit(Duration.ofSeconds(60))).isZero();
        Deployment.MessageView view = deployment.message(id);
        assertThat(view.status()).isEqualTo("completed");
        assertThat(view.content()).isEqualTo(deployment.streamedText(id));
        assertThat(deployment.calls()).anyMatch(c -> c.function().equals("machines:disconnect")
                && c.outcome().equals("ok"));
        assertThat(deployment.machineStatus()).isEqualTo("offline");
        assertThat(ProcessProbe.openCodeUnder(deployment.root())).isEmpty();
    }

    static boolean superseded(Throwable error) {
        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
        return cause instanceof WorkerException w && w.exitCode() == ExitCode.SUPERSEDED;
    }
}
