package com.opencodeworker.infrastructure.opencode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.opencodeworker.domain.port.AssistantException;
import com.opencodeworker.domain.port.ReplyResult.Failure.Kind;
import com.opencodeworker.domain.port.ReplyResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How one reply ends, with the server's truth scripted. */
@Timeout(value = 5, unit = TimeUnit.SECONDS)
class TurnTrackerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FINISHED = """
            [{"info":{"id":"msg_u","role":"user"},"parts":[]},
             {"info":{"id":"msg_a","role":"assistant","parentID":"msg_u","time":{"created":1,"completed":2},
               "finish":"stop","tokens":{"input":3,"output":4},"cost":0.25},
              "parts":[{"id":"prt_1","type":"text","text":"stored answer"}]}]""";

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ScriptedSource source = new ScriptedSource();
    private final RecordingListener listener = new RecordingListener();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private TurnTracker tracker() {
        TurnTracker turn = new TurnTracker("ses_a", "msg_u", Path.of("/d"), listener, source, JSON, scheduler,
                Duration.ofMillis(100));
        turn.markStarted();
        return turn;
    }

    private static JsonNode event(String json) throws Exception {
        return JSON.readTree(json);
    }

    private static JsonNode idle() throws Exception {
        return event("{\"type\":\"session.idle\",\"properties\":{\"sessionID\":\"ses_a\"}}");
    }

    @Test
    void idleEndsTheTurnWithTheStoredReply() throws Exception {
        source.messages = FINISHED;
        TurnTracker turn = tracker();

        turn.onEvent(idle());

        ReplyResult result = turn.result().getNow(null);
        assertThat(result.text()).isEqualTo("stored answer");
        assertThat(result.usage()).hasValueSatisfying(usage -> {
            assertThat(usage.inputTokens()).isEqualTo(3);
            assertThat(usage.outputTokens()).isEqualTo(4);
            assertThat(usage.cost()).isEqualTo(0.25);
        });
    }

    @Test
    void idleWhileTheSessionIsStillBusyIsIgnored() throws Exception {
        source.busy = true;
        source.messages = FINISHED;
        TurnTracker turn = tracker();

        turn.onEvent(idle());

        assertThat(turn.result()).isNotDone();
    }

    /** {@code turns} earlier finished turns, then {@code last}: a history as JSON. */
    private static String history(int turns, String last) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < turns; i++) {
            json.append("""
                    {"info":{"id":"msg_u%1$d","role":"user"},"parts":[]},
                    {"info":{"id":"msg_a%1$d","role":"assistant","parentID":"msg_u%1$d","time":{"completed":2},
                      "finish":"stop"},"parts":[{"id":"prt_%1$d","type":"text","text":"old answer %1$d"}]},
                    """.formatted(i));
        }
        return json.append(last.strip().substring(1)).toString();
    }

    @Test
    void aLongChatsTurnIsReadFromTheNewestMessagesOnly() throws Exception {
        source.messages = history(40, FINISHED);
        TurnTracker turn = tracker();

        turn.onEvent(idle());

        assertThat(turn.result().getNow(null).text()).isEqualTo("stored answer");
        assertThat(source.wholeReads).hasValue(0);
    }

    @Test
    void aTurnWithMoreStepsThanTheNewestMessagesIsReadFromTheWholeHistory() throws Exception {
        StringBuilder steps = new StringBuilder("[{\"info\":{\"id\":\"msg_u\",\"role\":\"user\"},\"parts\":[]}");
        for (int i = 0; i < TurnTracker.RECENT_MESSAGES; i++) {
            steps.append("""
                    ,{"info":{"id":"msg_s%1$d","role":"assistant","parentID":"msg_u","time":{"completed":2},
                      "finish":"%2$s"},"parts":[{"id":"prt_s%1$d","type":"text","text":"step %1$d. "}]}""".formatted(
                    i, i == TurnTracker.RECENT_MESSAGES - 1 ? "stop" : "tool-calls"));
        }
        source.messages = history(3, steps.append("]").toString());
        TurnTracker turn = tracker();

        turn.onEvent(idle());

        assertThat(turn.result().getNow(null).text()).startsWith("step 0.")
                .contains("step " + (TurnTracker.RECENT_MESSAGES - 1) + ".");
        assertThat(source.wholeReads).hasValue(1);
    }

    @Test
    void secondIdleDoesNotCompleteAgain() throws Exception {
        source.messages = FINISHED;
        TurnTracker turn = tracker();
        turn.onEvent(idle());
        int reads = source.reads.get();

        turn.onEvent(idle());

        assertThat(source.reads.get()).isEqualTo(reads);
    }

    @Test
    void sessionErrorEndsTheTurnAsAModelError() throws Exception {
        source.messages = "[{\"info\":{\"id\":\"msg_u\",\"role\":\"user\"},\"parts\":[]}]";
        TurnTracker turn = tracker();

        turn.onEvent(event("{\"type\":\"session.error\",\"properties\":{\"sessionID\":\"ses_a\",\"error\":"
                + "{\"name\":\"APIError\",\"data\":{\"message\":\"rate limited\"}}}}"));
        turn.onEvent(idle());

        assertThat(turn.result().getNow(null).failure()).contains(new ReplyResult.Failure(Kind.MODEL_ERROR,
                "rate limited"));
    }

    @Test
    void abortEndsTheTurnAbortedEvenWhenTheServerStaysSilent() throws Exception {
        TurnTracker turn = tracker();

        turn.abort();

        assertThat(turn.result().get(2, TimeUnit.SECONDS).failure()).map(ReplyResult.Failure::kind)
                .contains(Kind.ABORTED);
        assertThat(source.aborts.get()).isEqualTo(1);
    }

    @Test
    void abortThatCannotReachTheServerEndsTheTurnAtOnce() {
        source.failAbort = true;
        TurnTracker turn = tracker();

        turn.abort();

        assertThat(turn.result().getNow(null).failure()).map(ReplyResult.Failure::kind).contains(Kind.ABORTED);
    }

    @Test
    void deathKeepsTheStreamedText() throws Exception {
        TurnTracker turn = tracker();
        turn.onEvent(event("{\"type\":\"message.updated\",\"properties\":{\"sessionID\":\"ses_a\",\"info\":"
                + "{\"id\":\"msg_a\",\"role\":\"assistant\",\"parentID\":\"msg_u\"}}}"));
        turn.onEvent(event("{\"type\":\"message.part.delta\",\"properties\":{\"sessionID\":\"ses_a\","
                + "\"messageID\":\"msg_a\",\"partID\":\"prt_1\",\"field\":\"text\",\"delta\":\"partial\"}}"));

        turn.fail(Kind.PROCESS_DIED, "OpenCode exited unexpectedly (exit code 137)");

        ReplyResult result = turn.result().getNow(null);
        assertThat(result.text()).isEqualTo("partial");
        assertThat(result.failure()).map(ReplyResult.Failure::kind).contains(Kind.PROCESS_DIED);
        assertThat(listener.textDeltas()).containsExactly("partial");
    }

    @Test
    void failingListenerDoesNotStopTheReply() throws Exception {
        source.messages = FINISHED;
        TurnTracker turn = new TurnTracker("ses_a", "msg_u", Path.of("/d"), event -> {
            throw new IllegalStateException("listener bug");
        }, source, JSON, scheduler, Duration.ofMillis(100));
        turn.markStarted();
        turn.onEvent(event("{\"type\":\"message.updated\",\"properties\":{\"sessionID\":\"ses_a\",\"info\":"
                + "{\"id\":\"msg_a\",\"role\":\"assistant\",\"parentID\":\"msg_u\"}}}"));
        turn.onEvent(event("{\"type\":\"message.part.delta\",\"properties\":{\"sessionID\":\"ses_a\","
                + "\"messageID\":\"msg_a\",\"partID\":\"prt_1\",\"field\":\"text\",\"delta\":\"x\"}}"));

        turn.onEvent(idle());

        assertThat(turn.result().getNow(null).text()).isEqualTo("stored answer");
    }

    @Test
    void progressLineReachesTheListener() {
        TurnTracker turn = tracker();

        turn.progress("denied external_directory /x (permission policy: default)");

        assertThat(listener.progressLines()).containsExactly("denied external_directory /x (permission policy: default)");
    }

    /** The server's truth for one session. Thread-safe: volatile fields and atomics. */
    private static final class ScriptedSource implements TurnSource {
        volatile boolean busy;
        volatile boolean failAbort;
        volatile String messages = "[]";
        /** Reads of the history, whole or its newest messages. */
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger wholeReads = new AtomicInteger();
        final AtomicInteger aborts = new AtomicInteger();

        @Override
        public boolean isBusy(String sessionId) {
            return busy;
        }

        @Override
        public JsonNode messages(String sessionId) {
            reads.incrementAndGet();
            wholeReads.incrementAndGet();
            return history();
        }

        @Override
        public JsonNode recentMessages(String sessionId, int limit) {
            reads.incrementAndGet();
            ArrayNode all = history();
            ArrayNode newest = JSON.createArrayNode();
            for (int i = Math.max(0, all.size() - limit); i < all.size(); i++) {
                newest.add(all.get(i));
            }
            return newest;
        }

        private ArrayNode history() {
            try {
                return (ArrayNode) JSON.readTree(messages);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void abort(String sessionId) {
            aborts.incrementAndGet();
            if (failAbort) {
                throw new AssistantException("connection refused");
            }
        }
    }
}
