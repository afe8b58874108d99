package com.opencodeworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.domain.ProcessMode;
import com.opencodeworker.testing.model.FakeModelServer;
import com.opencodeworker.testing.worker.Deployment;
import com.opencodeworker.testing.worker.ProcessProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-directory mode keeps the per-session guarantees while sessions share one {@code opencode serve}:
 * a Stop ends only its own session's reply, and a crashed server fails (retryably) only the replies it
 * was running, while another directory's server streams on. Real OpenCode, the project's Convex
 * functions on the test deployment, the fake model.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PerDirectoryEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path base;
    private Deployment deployment;

    @BeforeEach
    void setUp() {
        deployment = new Deployment(base);
        deployment.model().setSlowDelay(Duration.ofMillis(100));
    }

    @AfterEach
    void tearDown() {
        deployment.closeLeavingNoOpenCode();
    }

    @Test
    void aStopEndsOnlyItsOwnSessionsReplyInTheSharedProcess() {
        String worker = deployment.createWorker("project");
        String stopped = deployment.createSession(worker);
        String other = deployment.createSession(worker);
        deployment.startWorker(ProcessMode.PER_DIRECTORY);
        String stopMe = deployment.send(stopped, FakeModelServer.SLOW + " stop me");
        String keepOn = deployment.send(other, FakeModelServer.SLOW + " keep going");
        await().atMost(WAIT).until(() -> !deployment.streamedText(stopMe).isEmpty()
                && !deployment.streamedText(keepOn).isEmpty());

        deployment.cancel(stopMe);
        await().atMost(WAIT).until(() -> deployment.ended(stopMe) && deployment.ended(keepOn));

        assertThat(deployment.openCodeStarts()).as("both sessions in one server").isEqualTo(1);
        Deployment.MessageView cut = deployment.message(stopMe);
        assertThat(cut.terminalOutcomes()).containsExactly("completed");
        assertThat(FakeModelServer.ticks(cut.content())).isLessThan(FakeModelServer.SLOW_CHUNKS);
        Deployment.MessageView whole = deployment.message(keepOn);
        assertThat(whole.terminalOutcomes()).containsExactly("completed");
        assertThat(FakeModelServer.ticks(whole.content())).as("the other session's reply, not aborted").isEqualTo(FakeModelServer.SLOW_CHUNKS);
    }

    @Test
    void aCrashedServerFailsOnlyTheRepliesItRanAndTheOtherDirectoryStreamsOn() {
        String crashing = deployment.createWorker("crashing");
        String steady = deployment.createWorker("steady");
        List<String> crashingSessions = List.of(deployment.createSession(crashing), deployment.createSession(crashing));
        String steadySession = deployment.createSession(steady);
        deployment.startWorker(ProcessMode.PER_DIRECTORY);
        List<String> hit = crashingSessions.stream().map(s -> deployment.send(s, FakeModelServer.SLOW + " crash")).toList();
        String spared = deployment.send(steadySession, FakeModelServer.SLOW + " carry on");
        await().atMost(WAIT).until(() -> hit.stream().noneMatch(id -> deployment.streamedText(id).isEmpty())
                && !deployment.streamedText(spared).isEmpty());

        ProcessProbe.openCodeServerUnder(deployment.root().resolve("crashing")).destroyForcibly();
        await().atMost(WAIT).until(() -> hit.stream().allMatch(deployment::ended) && deployment.ended(spared));

        for (String id : hit) {
            Deployment.MessageView view = deployment.message(id);
            assertThat(view.terminalOutcomes()).as(id).hasSize(1);
            if (view.status().equals("failed")) {
                assertThat(view.retryable()).as("%s failed retryably", id).isTrue();
            }
        }
        Deployment.MessageView other = deployment.message(spared);
        assertThat(other.terminalOutcomes()).containsExactly("completed");
        assertThat(other.attempt()).as("the other directory's reply was not tried again").isEqualTo(1);
        assertThat(FakeModelServer.ticks(other.content())).isEqualTo(FakeModelServer.SLOW_CHUNKS);

        String next = deployment.send(crashingSessions.get(0), "are you back");
        await().atMost(WAIT).until(() -> deployment.ended(next));
        assertThat(deployment.message(next).status()).isEqualTo("completed");
    }
}
