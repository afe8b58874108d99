package com.opencodeworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.domain.ProcessMode;
import com.opencodeworker.testing.worker.Deployment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many sessions at once: 20 chat sessions in 2 worker directories, 5 messages each, all sent
 * together (100 messages) to one worker with the default limit of 8 processes, in both process
 * modes. Every message ends exactly once, completed, with the model's reply from its own
 * directory, and OpenCode is started at most once per session (per session) or once per directory
 * (per directory). How long it takes is the benchmark's business ({@code -Pbench}), not this test's.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ManySessionsLoadTest {
    private static final int SESSIONS_PER_DIRECTORY = 10;
    private static final int MESSAGES_PER_SESSION = 5;
    private static final List<String> DIRECTORIES = List.of("alpha", "beta");
    private static final Duration WAIT = Duration.ofMinutes(8);

    @TempDir
    Path base;
    private Deployment deployment;

    @BeforeEach
    void setUp() {
        deployment = new Deployment(base);
    }

    @AfterEach
    void tearDown() {
        deployment.closeLeavingNoOpenCode();
    }

    @ParameterizedTest
    @EnumSource(ProcessMode.class)
    void hundredMessagesInTwentySessionsEachEndOnceCompletedWithFewStarts(ProcessMode mode) {
        List<String> sessions = new ArrayList<>();
        List<String> directories = new ArrayList<>();
        for (String directory : DIRECTORIES) {
            String worker = deployment.createWorker(directory);
            for (int i = 0; i < SESSIONS_PER_DIRECTORY; i++) {
                sessions.add(deployment.createSession(worker));
                directories.add(directory);
            }
        }
        deployment.startWorker(mode);

        List<List<String>> messages = new ArrayList<>();
        sessions.forEach(session -> messages.add(new ArrayList<>()));
        for (int round = 1; round <= MESSAGES_PER_SESSION; round++) {
            for (int s = 0; s < sessions.size(); s++) {
                messages.get(s).add(deployment.send(sessions.get(s), "message " + round));
            }
        }
        List<String> all = messages.stream().flatMap(List::stream).toList();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> all.stream().allMatch(deployment::ended));

        for (int s = 0; s < sessions.size(); s++) {
            String directory = deployment.root().resolve(directories.get(s)).toString();
            for (int round = 1; round <= MESSAGES_PER_SESSION; round++) {
                Deployment.MessageView view = deployment.message(messages.get(s).get(round - 1));
                assertThat(view.terminalOutcomes()).as("message %d of session %d", round, s).containsExactly("completed");
                assertThat(view.content()).contains("user turns seen: " + round).contains(directory);
            }
        }
        if (mode == ProcessMode.PER_SESSION) {
            assertThat(deployment.openCodeStarts()).isBetween(1L, (long) sessions.size());
        } else {
            assertThat(deployment.openCodeStarts()).isEqualTo(DIRECTORIES.size());
        }
    }
}
