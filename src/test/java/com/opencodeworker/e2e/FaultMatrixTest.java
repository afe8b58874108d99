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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault matrix: each row breaks something on purpose at a random point of a streamed reply,
 * {@code reliability.repetitions} times (1 in {@code ./mvnw verify}; more with
 * {@code -Dreliability.repetitions=N}) against the project's Convex functions on the test deployment,
 * and checks through the deployment's answers and records that every message
 * ended in exactly one terminal state, that the final attempt's chunks are contiguous, that no
 * stale attempt wrote anything, and that no OpenCode process is left. A summary goes to
 * {@code target/reliability-report.md}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// Each test repeats its row reliability.repetitions times (docs/reliability.md).
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class FaultMatrixTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int REPETITIONS = Integer.getInteger("reliability.repetitions", 1);

    @TempDir
    Path base;
    private final long seed = Long.getLong("reliability.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final List<String> report = new ArrayList<>();

    /** One repetition of a row: a fresh deployment, and the messages it sent. */
    private interface Scenario {
        List<String> run(Deployment deployment, String context) throws Exception;
    }

    private void row(String name, Scenario scenario) throws Exception {
        row(name, TestDeployment.Options.defaults(), scenario);
    }

    private void row(String name, TestDeployment.Options options, Scenario scenario) throws Exception {
        int messages = 0;
        long started = System.nanoTime();
        for (int rep = 1; rep <= REPETITIONS; rep++) {
            String context = name + " #" + rep + " (seed " + seed + ")";
            Path dir = Files.createDirectories(base.resolve(name.replaceAll("\\W+", "-") + "-" + rep));
            Deployment deployment = new Deployment(dir, options);
            List<String> sent;
            try {
                sent = scenario.run(deployment, context);
                Invariants.assertReliable(deployment, sent, context);
            } finally {
                deployment.close();
            }
            await(context + ": no OpenCode process left").atMost(Duration.ofSeconds(20))
                    .until(() -> ProcessProbe.openCodeUnder(deployment.root()).isEmpty());
            messages += sent.size();
        }
        report.add(String.format("| %s | %d | %d | 0 | 0 | 0 | %d s |", name, REPETITIONS, messages,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
    }

    @AfterAll
    void writeReport() throws IOException {
        Path file = Path.of("target", "reliability-report.md");
        Files.createDirectories(file.getParent());
        List<String> lines = new ArrayList<>(List.of("| fault | repetitions | messages | lost | duplicated | stale writes | time |",
                "| --- | --- | --- | --- | --- | --- | --- |"));
        lines.addAll(report);
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    /** Waits until the reply has streamed a random number of its 40 ticks (at least one). */
    private void awaitRandomPoint(Deployment deployment, String message, int atMost) {
        int ticks = 1 + random.nextInt(atMost);
        await().atMost(WAIT).until(() -> FakeModelServer.ticks(deployment.streamedText(message)) >= ticks || deployment.ended(message));
    }

    private static String session(Deployment deployment) {
        return deployment.createSession(deployment.createWorker("project"));
    }

    private static void awaitEnded(Deployment deployment, List<String> messages) {
        await().atMost(WAIT).until(() -> messages.stream().allMatch(deployment::ended));
    }

    private static void signal(ProcessHandle process, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void workerKilledAtARandomPointThenRestarted() throws Exception {
        row("worker killed (SIGKILL) mid-reply, restarted", (deployment, context) -> {
            deployment.model().setSlowDelay(Duration.ofMillis(100));
            String session = session(deployment);
            WorkerProcess first = deployment.startProcess();
            String id = deployment.send(session, FakeModelServer.SLOW + " killed");
            awaitRandomPoint(deployment, id, 30);
            first.kill();
            first.awaitExit(Duration.ofSeconds(10));
            WorkerProcess second = deployment.startProcess();
            awaitEnded(deployment, List.of(id));
            Deployment.MessageView view = deployment.message(id);
            if (view.status().equals("failed")) {
                assertThat(view.error()).as(context).isEqualTo("interrupted by a worker restart");
                assertThat(view.retryable()).as(context).isTrue();
            }
            long prompts = deployment.model().chatRequests().stream().filter(r -> r.toString().contains(" killed")).count();
            assertThat(prompts).as(context + ": the prompt reached the model once").isEqualTo(1);
            second.terminate();
            assertThat(second.awaitExit(Duration.ofSeconds(30))).as(context).isZero();
            return List.of(id);
        });
    }

    @Test
    void webSocketDroppedRepeatedlyMidReply() throws Exception {
        row("WebSocket dropped 3 times mid-reply", (deployment, context) -> {
            deployment.model().setSlowDelay(Duration.ofMillis(80));
            String session = session(deployment);
            deployment.startWorker();
            String id = deployment.send(session, FakeModelServer.SLOW + " storm");
            for (int i = 0; i < 3; i++) {
                awaitRandomPoint(deployment, id, 10 * (i + 1));
                deployment.convex().dropAllSockets();
            }
            awaitEnded(deployment, List.of(id));
            assertThat(deployment.message(id).status()).as(context).isEqualTo("completed");
            assertThat(deployment.message(id).content()).as(context).isEqualTo(deployment.streamedText(id));
            return List.of(id);
        });
    }

    @Test
    void convexSilentPastTheInactivityTimeout() throws Exception {
        row("Convex silent past the inactivity timeout", (deployment, context) -> {
            deployment.model().setSlowDelay(Duration.ofMillis(120));
            String session = session(deployment);
            deployment.startWorker();
            String id = deployment.send(session, FakeModelServer.SLOW + " silence");
            awaitRandomPoint(deployment, id, 20);
            int connections = deployment.convex().connectionCount();
            deployment.convex().setSilent(true);
            await().atMost(WAIT).until(() -> deployment.convex().connectionCount() > connections);
            deployment.convex().setSilent(false);
            awaitEnded(deployment, List.of(id));
            assertThat(deployment.message(id).status()).as(context).isEqualTo("completed");
            return List.of(id);
        });
    }

    @Test
    void convexDownForLongerThanTheLease() throws Exception {
        row("Convex down longer than the lease, then back",
                new TestDeployment.Options(Duration.ofMillis(300), Duration.ofMillis(1500)), (deployment, context) -> {
            deployment.model().setSlowDelay(Duration.ofMillis(100));
            String session = session(deployment);
            deployment.startWorker();
            String id = deployment.send(session, FakeModelServer.SLOW + " outage");
            awaitRandomPoint(deployment, id, 15);
            deployment.convex().setDown(true);
            double leaseExpiresAt = deployment.leaseExpiresAt(id);
            await().atMost(WAIT).until(() -> System.currentTimeMillis() > leaseExpiresAt + 1000);
            deployment.convex().setDown(false);
            awaitEnded(deployment, List.of(id));
            assertThat(deployment.message(id).status()).as(context).isEqualTo("completed");
            return List.of(id);
        });
    }

    @Test
    void mutationsLostInBurstsOnAppendChunksAndComplete() throws Exception {
        row("appendChunks and complete answers lost in bursts, HTTP 503s", (deployment, context) -> {
            deployment.model().setSlowDelay(Duration.ofMillis(40));
            String session = session(deployment);
            deployment.startWorker();
            deployment.convex().dropSocketOnMutation("messages:appendChunks", 3, random.nextBoolean());
            deployment.convex().dropSocketOnMutation("messages:complete", 2, true);
            String id = deployment.send(session, FakeModelServer.SLOW + " bursts");
            // After the web app's own call: only the worker's HTTP calls meet the 503s.
            deployment.convex().failHttp(503, 5);
            awaitEnded(deployment, List.of(id));
            assertThat(deployment.message(id).status()).as(context).isEqualTo("completed");
            assertThat(deployment.message(id).content()).as(context).isEqualTo(deployment.streamedText(id));
            return List.of(id);
        });
    }

    @Test
    void openCodeKilledMidReply() throws Exception {
        row("OpenCode killed (SIGKILL) mid-reply", (deployment, context) -> {
            deployment.model().setSlowDelay(Duration.ofMillis(100));
            String session = session(deployment);
            deployment.startWorker();
            String id = deployment.send(session, FakeModelServer.SLOW + " crash");
            awaitRandomPoint(deployment, id, 30);
            ProcessProbe.openCodeServerUnder(deployment.root()).destroyForcibly();
            awaitEnded(deployment, List.of(id));
            Deployment.MessageView view = deployment.message(id);
            if (view.status().equals("failed")) {
                assertThat(view.retryable()).as(context).isTrue();
                assertThat(view.error()).as(context).isNotBlank();
            }
            String next = deployment.send(session, "are you back");
            awaitEnded(deployment, List.of(next));
            assertThat(deployment.message(next).status()).as(context).isEqualTo("completed");
            return List.of(id, next);
        });
    }

    @Test
    void openCodeHangsWithoutEventsOrExit() throws Exception {
        row("OpenCode hangs (SIGSTOP) mid-reply", (deployment, context) -> {
            deployment.model().setSlowDelay(Duration.ofMillis(100));
            String session = session(deployment);
            deployment.startWorker(Duration.ofMinutes(5), Duration.ofSeconds(10));
            String id = deployment.send(session, FakeModelServer.SLOW + " freeze");
            awaitRandomPoint(deployment, id, 30);
            ProcessHandle server = ProcessProbe.openCodeServerUnder(deployment.root());
            signal(server, "STOP");
            try {
                awaitEnded(deployment, List.of(id));
            } finally {
                if (server.isAlive()) {
                    signal(server, "CONT");
                }
            }
            Deployment.MessageView view = deployment.message(id);
            if (view.status().equals("failed")) {
                assertThat(view.retryable()).as(context).isTrue();
            }
            return List.of(id);
        });
    }

    @Test
    void modelServerErrorsAndSlowStreams() throws Exception {
        row("model errors (HTTP 500 once, HTTP 400) and slow streams", (deployment, context) -> {
            String session = session(deployment);
            deployment.startWorker();
            deployment.model().failNext(500);
            String retried = deployment.send(session, "first after a 500");
            awaitEnded(deployment, List.of(retried));
            deployment.model().failNext(400);
            String refused = deployment.send(session, "refused with a 400");
            awaitEnded(deployment, List.of(refused));
            deployment.model().setChunkDelay(Duration.ofMillis(250 + random.nextInt(250)));
            String slow = deployment.send(session, "slowly please");
            awaitEnded(deployment, List.of(slow));
            assertThat(deployment.message(slow).status()).as(context).isEqualTo("completed");
            Deployment.MessageView failed = deployment.message(refused);
            if (failed.status().equals("failed")) {
                assertThat(failed.error()).as(context).isNotBlank();
            }
            return List.of(retried, refused, slow);
        });
    }

    @Test
    void secondWorkerWithTheSameTokenWhileTheFirstStreams() throws Exception {
        row("second worker with the same token mid-reply", (deployment, context) -> {
            deployment.model().setSlowDelay(Duration.ofMillis(120));
            String session = session(deployment);
            Deployment.InProcessWorker first = deployment.startWorker();
            String id = deployment.send(session, FakeModelServer.SLOW + " contested");
            awaitRandomPoint(deployment, id, 25);
            deployment.startWorker();
            try {
                first.run().get(60, TimeUnit.SECONDS);
                throw new AssertionError(context + ": the first worker should have been superseded");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).as(context).isInstanceOfSatisfying(WorkerException.class,
                        w -> assertThat(w.exitCode()).isEqualTo(ExitCode.SUPERSEDED));
            }
            awaitEnded(deployment, List.of(id));
            return List.of(id);
        });
    }

    @Test
    void sigtermMidReplyFinishesTheReply() throws Exception {
        row("SIGTERM mid-reply (graceful)", (deployment, context) -> {
            deployment.model().setSlowDelay(Duration.ofMillis(60));
            String session = session(deployment);
            WorkerProcess worker = deployment.startProcess();
            String id = deployment.send(session, FakeModelServer.SLOW + " graceful");
            awaitRandomPoint(deployment, id, 30);
            worker.terminate();
            assertThat(worker.awaitExit(Duration.ofSeconds(60))).as(context).isZero();
            Deployment.MessageView view = deployment.message(id);
            assertThat(view.status()).as(context).isEqualTo("completed");
            assertThat(FakeModelServer.ticks(view.content())).as(context).isEqualTo(FakeModelServer.SLOW_CHUNKS);
            assertThat(deployment.machineStatus()).as(context).isEqualTo("offline");
            return List.of(id);
        });
    }

    @Test
    void sigtermTwiceMidReplyAbortsAndCompletesWithThePartialText() throws Exception {
        row("SIGTERM twice mid-reply (forced)", (deployment, context) -> {
            deployment.model().setSlowDelay(Duration.ofMillis(150));
            String session = session(deployment);
            WorkerProcess worker = deployment.startProcess();
            String id = deployment.send(session, FakeModelServer.SLOW + " forced");
            awaitRandomPoint(deployment, id, 20);
            worker.terminate();
            await().atMost(WAIT).until(() -> worker.stderr().contains("finishing running replies"));
            worker.terminate();
            assertThat(worker.awaitExit(Duration.ofSeconds(60))).as(context).isZero();
            Deployment.MessageView view = deployment.message(id);
            assertThat(view.status()).as(context).isEqualTo("completed");
            assertThat(FakeModelServer.ticks(view.content())).as(context).isLessThan(FakeModelServer.SLOW_CHUNKS);
            assertThat(view.content()).as(context).isEqualTo(deployment.streamedText(id));
            return List.of(id);
        });
    }
}
