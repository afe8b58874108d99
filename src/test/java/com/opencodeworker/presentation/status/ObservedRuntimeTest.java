package com.opencodeworker.presentation.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.port.AssistantProcess;
import com.opencodeworker.domain.port.PromptRecord;
import com.opencodeworker.domain.port.Reply;
import com.opencodeworker.testing.assistant.ScriptedAssistant;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ObservedRuntimeTest {
    private static final Path DIRECTORY = Path.of("/r/project");

    private final ScriptedAssistant assistant = new ScriptedAssistant();
    private final StatusBoard board = new StatusBoard("1.0", "mch_1", "config.json", "/r", Instant.EPOCH);
    private final ObservedRuntime runtime = new ObservedRuntime(assistant, board);

    private List<StatusBoard.SessionStatus> sessions() {
        return board.snapshot(Instant.EPOCH, pid -> true).sessions();
    }

    private Reply prompt(AssistantProcess process, String message) {
        OpenCodeSessionId session = process.openSession(Optional.empty(), "Chat").id();
        return process.prompt(session, new MessageId(message), "hi", Optional.of("openai/gpt-x"), event -> { });
    }

    @Test
    void aStartedProcessIsShownIdleUnderItsSessionWithItsPid() {
        AssistantProcess process = runtime.start(DIRECTORY, "chat_1");

        assertThat(sessions()).singleElement().satisfies(row -> {
            assertThat(row.session()).isEqualTo("chat_1");
            assertThat(row.directory()).isEqualTo(DIRECTORY.toString());
            assertThat(row.openCodePid()).isEqualTo(process.pid()).isEqualTo(assistant.started().get(0).pid());
            assertThat(row.state()).isEqualTo("idle");
        });
    }

    @Test
    void aReplyIsShownWhileItRunsAndNoLongerOnceItEnded() throws Exception {
        AssistantProcess process = runtime.start(DIRECTORY, "chat_1");
        assistant.holdReplies();

        Reply reply = prompt(process, "msg_1");

        assertThat(sessions()).singleElement().satisfies(row -> {
            assertThat(row.state()).isEqualTo("replying");
            assertThat(row.reply()).hasValueSatisfying(r -> {
                assertThat(r.message()).isEqualTo("msg_1");
                assertThat(r.model()).isEqualTo("openai/gpt-x");
            });
        });
        assistant.release();
        reply.result().get(5, TimeUnit.SECONDS);
        // The board hears of the end from the reply's completion, on the thread that completed it.
        await().atMost(Duration.ofSeconds(5)).until(() -> sessions().get(0).state().equals("idle"));
    }

    @Test
    void aClosedProcessLeavesTheBoardAndIsStopped() {
        AssistantProcess process = runtime.start(DIRECTORY, "chat_1");

        process.close();

        assertThat(sessions()).isEmpty();
        assertThat(process.isAlive()).isFalse();
        assertThat(assistant.started().get(0).isAlive()).isFalse();
    }

    @Test
    void whatItDoesNotWatchGoesToTheProcessUnchanged() {
        AssistantProcess process = runtime.start(DIRECTORY, "chat_1");
        OpenCodeSessionId session = process.openSession(Optional.empty(), "Chat").id();
        assistant.recordHistory(new MessageId("msg_9"), new PromptRecord.Unfinished());

        assertThat(process.openSession(Optional.of(session), "Chat").created()).isFalse();
        assertThat(process.lookup(session, new MessageId("msg_9"))).isInstanceOf(PromptRecord.Unfinished.class);
    }
}
