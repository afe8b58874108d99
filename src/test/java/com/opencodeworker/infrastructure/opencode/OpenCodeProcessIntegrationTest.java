package com.opencodeworker.infrastructure.opencode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.PermissionPolicy;
import com.opencodeworker.domain.port.AssistantProcess.OpenedSession;
import com.opencodeworker.domain.port.PromptRecord;
import com.opencodeworker.domain.port.Reply;
import com.opencodeworker.domain.port.ReplyResult.Failure.Kind;
import com.opencodeworker.domain.port.ReplyResult;
import com.opencodeworker.testing.model.FakeModelServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The adapter against the real {@code opencode} binary and the fake model server. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenCodeProcessIntegrationTest {
    private static final Logger LOG = LoggerFactory.getLogger(OpenCodeProcessIntegrationTest.class);
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(20);
    private static final AtomicInteger MESSAGES = new AtomicInteger();

    @TempDir
    static Path temp;

    private static FakeModelServer model;
    private static OpenCodeRuntime runtime;
    private static Path sharedDirectory;
    private static OpenCodeProcess shared;

    @BeforeAll
    static void startShared() throws IOException {
        String binary = System.getProperty("opencode.bin");
        assertThat(binary).as("system property opencode.bin (set by the Maven build) must name the opencode binary")
                .isNotBlank();
        assertThat(Path.of(binary)).as("the opencode binary from opencode.bin must exist: run the Maven build")
                .isExecutable();
        model = FakeModelServer.start();
        runtime = new OpenCodeRuntime(Optional.of(Path.of(binary)), PermissionPolicy.DEFAULT,
                model.environment(temp.resolve("home")), OpenCodeOptions.defaults());
        runtime.verifyAvailable();
        sharedDirectory = directory("shared");
        shared = runtime.start(sharedDirectory, "shared");
    }

    @AfterAll
    static void stopShared() {
        if (shared != null) {
            shared.close();
        }
        if (model != null) {
            model.close();
        }
    }

    private static Path directory(String name) throws IOException {
        return Files.createDirectories(temp.resolve("dirs").resolve(name)).toRealPath();
    }

    private static MessageId newMessage() {
        return new MessageId("m" + MESSAGES.incrementAndGet());
    }

    private static ReplyResult ended(Reply reply) throws Exception {
        return reply.result().get(REPLY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static OpenCodeSessionId newSession(OpenCodeProcess process) {
        return process.openSession(Optional.empty(), "test").id();
    }

    @Test
    void streamedReplyArrivesAsSeveralDeltasAndEndsWithTheFullText() throws Exception {
        OpenCodeSessionId session = newSession(shared);
        RecordingListener listener = new RecordingListener();
        long sent = System.nanoTime();

        ReplyResult result = ended(shared.prompt(session, newMessage(), "Say hello", Optional.empty(), listener));

        LOG.info("measured: prompt -> reply ended in {} ms",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
        assertThat(result.failure()).isEmpty();
        assertThat(result.text()).startsWith("Hello from fake model (user turns seen: 1)");
        assertThat(listener.textDeltas()).hasSizeGreaterThan(3);
        assertThat(String.join("", listener.textDeltas())).isEqualTo(result.text());
        assertThat(result.usage()).hasValueSatisfying(usage -> assertThat(usage.outputTokens()).isPositive());
        assertThat(result.partsJson()).hasValueSatisfying(parts -> assertThat(parts).contains("\"step-finish\""));
    }

    @Test
    void modelSeesTheWorkingDirectoryOfTheProcess() throws Exception {
        ReplyResult result = ended(shared.prompt(newSession(shared), newMessage(), "Where?", Optional.empty(),
                new RecordingListener()));

        assertThat(result.text()).endsWith("[cwd: " + sharedDirectory + "]");
    }

    @Test
    void abortMidReplyEndsWithThePartialTextAndAborted() throws Exception {
        OpenCodeSessionId session = newSession(shared);
        RecordingListener listener = new RecordingListener();
        model.holdStreams();
        try {
            Reply reply = shared.prompt(session, newMessage(), "count " + FakeModelServer.SLOW, Optional.empty(),
                    listener);
            await().atMost(REPLY_TIMEOUT).until(() -> !listener.textDeltas().isEmpty());

            reply.abort();

            ReplyResult result = ended(reply);
            assertThat(result.failure()).map(ReplyResult.Failure::kind).contains(Kind.ABORTED);
            assertThat(result.text()).startsWith("tick");
        } finally {
            model.release();
        }
    }

    @Test
    void lookupTellsNotSentFinishedAndUnfinished() throws Exception {
        OpenCodeSessionId session = newSession(shared);
        MessageId finished = newMessage();
        ended(shared.prompt(session, finished, "Say hello", Optional.empty(), new RecordingListener()));
        MessageId aborted = newMessage();
        RecordingListener listener = new RecordingListener();
        model.holdStreams();
        try {
            Reply reply = shared.prompt(session, aborted, FakeModelServer.SLOW, Optional.empty(), listener);
            await().atMost(REPLY_TIMEOUT).until(() -> !listener.textDeltas().isEmpty());
            reply.abort();
            ended(reply);
        } finally {
            model.release();
        }

        assertThat(shared.lookup(session, new MessageId("never-sent"))).isInstanceOf(PromptRecord.NotSent.class);
        assertThat(shared.lookup(session, finished)).isInstanceOfSatisfying(PromptRecord.Finished.class,
                record -> assertThat(record.result().text()).startsWith("Hello from fake model (user turns seen: 1)"));
        assertThat(shared.lookup(session, aborted)).isInstanceOf(PromptRecord.Unfinished.class);
    }

    @Test
    void toolCallWritesAFileInsideTheDirectory() throws Exception {
        Path file = sharedDirectory.resolve("hello.txt");
        RecordingListener listener = new RecordingListener();
        String prompt = "please write [[tool:write {\"filePath\": \"" + file + "\", \"content\": \"hi\\n\"}]]";

        ReplyResult result = ended(shared.prompt(newSession(shared), newMessage(), prompt, Optional.empty(),
                listener));

        assertThat(result.failure()).isEmpty();
        assertThat(file).hasContent("hi");
        assertThat(listener.progressLines()).contains("write hello.txt: running", "write hello.txt: completed");
        assertThat(result.text()).startsWith("Tool result seen:");
    }

    @Test
    void writeOutsideTheDirectoryIsDeniedByTheDefaultPolicy() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("outside")).toRealPath().resolve("x.txt");
        RecordingListener listener = new RecordingListener();
        String prompt = "please write [[tool:write {\"filePath\": \"" + outside + "\", \"content\": \"no\"}]]";

        ReplyResult result = ended(shared.prompt(newSession(shared), newMessage(), prompt, Optional.empty(),
                listener));

        assertThat(outside).doesNotExist();
        assertThat(listener.progressLines())
                .contains("denied external_directory " + outside + " (permission policy: default)");
        assertThat(result.failure()).isEmpty();
    }

    @Test
    void unknownModelFailsNamingTheModel() throws Exception {
        ReplyResult result = ended(shared.prompt(newSession(shared), newMessage(), "hi",
                Optional.of("fake/no-such-model"), new RecordingListener()));

        assertThat(result.failure()).hasValueSatisfying(failure -> {
            assertThat(failure.kind()).isEqualTo(Kind.UNKNOWN_MODEL);
            assertThat(failure.message()).contains("fake/no-such-model");
        });
    }

    @Test
    void modelWithoutProviderFailsReadably() throws Exception {
        ReplyResult result = ended(shared.prompt(newSession(shared), newMessage(), "hi", Optional.of("gpt"),
                new RecordingListener()));

        assertThat(result.failure()).hasValueSatisfying(failure -> {
            assertThat(failure.kind()).isEqualTo(Kind.UNKNOWN_MODEL);
            assertThat(failure.message()).contains("provider/model");
        });
    }

    @Test
    void explicitModelIsUsed() throws Exception {
        ReplyResult result = ended(shared.prompt(newSession(shared), newMessage(), "hi",
                Optional.of("fake/fake-model"), new RecordingListener()));

        assertThat(result.failure()).isEmpty();
        assertThat(result.text()).startsWith("Hello from fake model");
    }

    @Test
    void serverRejectsRequestsWithoutThePasswordAndListensOnLoopbackOnly() throws Exception {
        assertThat(shared.url()).startsWith("http://127.0.0.1:");
        OkHttpClient http = new OkHttpClient();
        try (Response response = http.newCall(new Request.Builder().url(shared.url() + "/session").build())
                .execute()) {
            assertThat(response.code()).isEqualTo(401);
        }
    }

    @Test
    void goneSessionIsRecreated() {
        OpenedSession opened = shared.openSession(Optional.of(new OpenCodeSessionId("ses_doesnotexist")), "t");

        assertThat(opened.created()).isTrue();
        assertThat(opened.id().value()).isNotEqualTo("ses_doesnotexist");
    }

    @Test
    void killedServerEndsTheRunningReplyWithProcessDied() throws Exception {
        OpenCodeProcess process = runtime.start(directory("killed"), "killed");
        try {
            RecordingListener listener = new RecordingListener();
            model.holdStreams();
            Reply reply = process.prompt(newSession(process), newMessage(), FakeModelServer.SLOW, Optional.empty(),
                    listener);
            await().atMost(REPLY_TIMEOUT).until(() -> !listener.textDeltas().isEmpty());

            ProcessHandle.of(process.pid()).orElseThrow().destroyForcibly();

            ReplyResult result = reply.result().get(5, TimeUnit.SECONDS);
            assertThat(result.failure()).map(ReplyResult.Failure::kind).contains(Kind.PROCESS_DIED);
            assertThat(result.text()).startsWith("tick");
            assertThat(process.isAlive()).isFalse();
        } finally {
            model.release();
            process.close();
        }
    }

    @Test
    void resumedSessionAfterRestartSendsTheEarlierTurnsToTheModel() throws Exception {
        Path directory = directory("resume");
        OpenCodeSessionId session;
        try (OpenCodeProcess first = runtime.start(directory, "resume-1")) {
            session = newSession(first);
            ended(first.prompt(session, newMessage(), "first", Optional.empty(), new RecordingListener()));
        }
        try (OpenCodeProcess second = runtime.start(directory, "resume-2")) {
            OpenedSession opened = second.openSession(Optional.of(session), "ignored");
            ReplyResult result = ended(second.prompt(opened.id(), newMessage(), "second", Optional.empty(),
                    new RecordingListener()));

            assertThat(opened).isEqualTo(new OpenedSession(session, false));
            assertThat(result.text()).startsWith("Hello from fake model (user turns seen: 2)");
        }
    }

    @Test
    void twoProcessesInTwoDirectoriesAnswerAtTheSameTime() throws Exception {
        Path left = directory("left");
        Path right = directory("right");
        try (OpenCodeProcess a = runtime.start(left, "left"); OpenCodeProcess b = runtime.start(right, "right")) {
            Reply fromA = a.prompt(newSession(a), newMessage(), "hi", Optional.empty(), new RecordingListener());
            Reply fromB = b.prompt(newSession(b), newMessage(), "hi", Optional.empty(), new RecordingListener());

            assertThat(ended(fromA).text()).endsWith("[cwd: " + left + "]");
            assertThat(ended(fromB).text()).endsWith("[cwd: " + right + "]");
        }
    }

    @Test
    void stoppedProcessLeavesNoProcessBehind() throws Exception {
        OpenCodeProcess process = runtime.start(directory("stopped"), "stopped");
        ended(process.prompt(newSession(process), newMessage(), "hi", Optional.empty(), new RecordingListener()));
        ProcessHandle server = ProcessHandle.of(process.pid()).orElseThrow();
        List<ProcessHandle> tree = new ArrayList<>(server.descendants().toList());
        tree.add(server);
        LOG.info("measured: RSS of a server after one prompt: {}", rss(process.pid()));
        long stopping = System.nanoTime();

        process.close();

        LOG.info("measured: stop took {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping));
        assertThat(tree).noneMatch(ServerProcess::isRunning);
        assertThat(process.isAlive()).isFalse();
    }

    @Test
    void serverDiesWhenTheWatchdogPipeCloses() throws Exception {
        OpenCodeProcess process = runtime.start(directory("orphan"), "orphan");
        try {
            ProcessHandle server = ProcessHandle.of(process.pid()).orElseThrow();

            process.server().closeWatchdogInput();

            server.onExit().get(10, TimeUnit.SECONDS);
            assertThat(ServerProcess.isRunning(server)).isFalse();
        } finally {
            process.close();
        }
    }

    private static String rss(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(line -> line.startsWith("VmRSS")).findFirst().orElse("VmRSS: unknown").replaceAll("\\s+", " ");
    }
}
