package com.opencodeworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.testing.convex.FakeBackend;
import com.opencodeworker.testing.worker.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input that reaches a running worker, table-driven: each message ends in exactly one
 * terminal state, a failure carries one readable line, and the worker keeps serving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MessageBadInputTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private Deployment deployment;
    private String session;

    @BeforeAll
    void start(@TempDir Path base) throws IOException {
        deployment = new Deployment(base);
        session = deployment.createSession(deployment.createWorker("project"));
        Path outside = Files.createDirectories(base.resolve("outside"));
        Files.createSymbolicLink(deployment.root().resolve("escape"), outside);
        Files.writeString(deployment.root().resolve("a-file"), "not a directory");
        deployment.startWorker();
    }

    @AfterAll
    void stop() {
        if (deployment != null) {
            deployment.close();
        }
    }

    /** A message that must end as {@code status}, its reply or error containing {@code says}. */
    record Case(String name, Function<MessageBadInputTest, String> send, String status, String says) {
        @Override
        public String toString() {
            return name;
        }
    }

    private String sendIn(String directory, String text) {
        String worker = deployment.change(() -> deployment.backend().createWorker(deployment.machineId(), directory,
                directory));
        return deployment.send(deployment.createSession(worker), text);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("unknown provider", t -> t.deployment.send(t.session, "hi", "nope/some-model"), "failed",
                        "nope"),
                new Case("unknown model of a known provider", t -> t.deployment.send(t.session, "hi", "fake/no-such-model"),
                        "failed", "no-such-model"),
                new Case("model with two slashes, split at the first", t -> t.deployment.send(t.session, "hi",
                        "fake/fake-model/extra"), "failed", "fake-model/extra"),
                new Case("model without a provider", t -> t.deployment.send(t.session, "hi", "fake-model"), "failed",
                        "fake-model"),
                new Case("the configured model, named", t -> t.deployment.send(t.session, "hi", "fake/fake-model"),
                        "completed", "Hello from fake model"),
                new Case("control characters and emoji", t -> t.deployment.send(t.session,
                        "tab\there\u0001\u0007 bell, nul\u0000, emoji \uD83D\uDE80\uD83E\uDDEA done"), "completed",
                        "Hello from fake model"),
                new Case("a message of 1 MB", t -> t.deployment.send(t.session, "x".repeat(1 << 20)), null, ""),
                new Case("worker directory escaping the root with ..", t -> t.sendIn("../outside", "hi"), "failed",
                        "outside the root"),
                new Case("worker directory that is a symlink out of the root", t -> t.sendIn("escape", "hi"), "failed",
                        "outside the root"),
                new Case("worker directory that does not exist", t -> t.sendIn("missing", "hi"), "failed",
                        "Directory not found"),
                new Case("worker directory that is a file", t -> t.sendIn("a-file", "hi"), "failed",
                        "Not a directory"))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputEndsTheMessageOnceWithAReadableOutcome(Case bad) {
        String id = bad.send().apply(this);

        await().atMost(WAIT).until(() -> deployment.ended(id));

        FakeBackend.MessageView view = deployment.message(id);
        assertThat(view.terminalOutcomes()).hasSize(1);
        if (bad.status() != null) {
            assertThat(view.status()).as("%s: %s", bad.name(), view.error()).isEqualTo(bad.status());
        }
        if (view.status().equals("failed")) {
            assertThat(view.error()).contains(bad.says()).doesNotContain("\n\tat ").hasSizeLessThan(2000);
            assertThat(view.error().lines()).hasSizeLessThanOrEqualTo(3);
        } else {
            assertThat(view.content()).contains(bad.says());
        }
    }

    @Test
    void controlCharactersAndEmojiReachTheModelUnchanged() {
        String text = "exact \u0001\u001f text \uD83D\uDE80 end";
        String id = deployment.send(session, text);
        await().atMost(WAIT).until(() -> deployment.ended(id));

        assertThat(deployment.model().chatRequests()).anyMatch(r -> r.toString().contains(
                new com.fasterxml.jackson.databind.node.TextNode(text).toString().replace("\"", "")));
    }

    @Test
    void malformedWorkItemsAreSkippedAndTheRestIsServed() {
        Map<String, Object> missingFields = new HashMap<>(Map.of("messageId", "broken1", "content", "no session"));
        Map<String, Object> unknownMessage = new HashMap<>(Map.of("messageId", "ghost1", "sessionId", "nosuchsession",
                "workerId", "nosuchworker", "directory", "project", "content", "hi", "createdAt", 1.0,
                "status", "pending", "attempt", 0.0, "cancelRequested", false));
        unknownMessage.put("opencodeSessionId", null);
        unknownMessage.put("model", null);
        unknownMessage.put("claimedBy", null);
        unknownMessage.put("leaseExpiresAt", null);
        deployment.addToWork(List.of(missingFields, unknownMessage));

        String id = deployment.send(session, "still serving");
        await().atMost(WAIT).until(() -> deployment.ended(id));

        assertThat(deployment.message(id).status()).isEqualTo("completed");
        assertThat(deployment.backend().calls()).filteredOn(c -> "ghost1".equals(c.messageId()))
                .allMatch(c -> c.function().equals("messages:claim"));
    }
}
