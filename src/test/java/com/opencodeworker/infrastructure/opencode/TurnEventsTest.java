package com.opencodeworker.infrastructure.opencode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.opencodeworker.domain.port.ReplyEvent;
import com.opencodeworker.domain.port.ReplyResult.Failure.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The event mapping, fed with events recorded from opencode 1.18.33 for one session with three
 * prompts: a write inside the directory, a write outside it (rejected), and a slow reply that was aborted.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TurnEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIRECTORY = Path.of("/home/dev/project");
    private static final String WRITE_INSIDE = "msg_0000000010wabc";
    private static final String WRITE_OUTSIDE = "msg_0000000011wabc";
    private static final String ABORTED = "msg_0000000012wabc";
    private static List<JsonNode> recorded;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = TurnEventsTest.class.getResourceAsStream("/opencode/recorded-events.jsonl")) {
            recorded = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    recorded.add(JSON.readTree(line));
                }
            }
        }
    }

    private static List<ReplyEvent> feedAll(TurnEvents turn) {
        List<ReplyEvent> out = new ArrayList<>();
        recorded.forEach(event -> out.addAll(turn.accept(event)));
        return out;
    }

    private static String text(List<ReplyEvent> events) {
        StringBuilder text = new StringBuilder();
        events.stream().filter(ReplyEvent.TextDelta.class::isInstance)
                .forEach(event -> text.append(((ReplyEvent.TextDelta) event).text()));
        return text.toString();
    }

    private static List<String> progress(List<ReplyEvent> events) {
        return events.stream().filter(ReplyEvent.ToolProgress.class::isInstance)
                .map(event -> ((ReplyEvent.ToolProgress) event).line()).toList();
    }

    @Test
    void toolCallInsideTheDirectoryShowsRunningAndCompletedOnce() {
        List<ReplyEvent> events = feedAll(new TurnEvents(WRITE_INSIDE, DIRECTORY));

        assertThat(progress(events)).containsExactly("write hello.txt: running", "write hello.txt: completed");
    }

    @Test
    void textDeltasOfTheAssistantOnlyMakeTheAnswer() {
        List<ReplyEvent> events = feedAll(new TurnEvents(WRITE_INSIDE, DIRECTORY));

        assertThat(text(events)).isEqualTo("Tool result seen: Wrote file successfully.");
    }

    @Test
    void rejectedToolCallShowsItsError() {
        List<ReplyEvent> events = feedAll(new TurnEvents(WRITE_OUTSIDE, DIRECTORY));

        assertThat(progress(events)).containsExactly("write /home/dev/out.txt: running",
                "write /home/dev/out.txt: error: The user rejected permission to use this specific tool call with "
                        + "the following feedback: denied by policy");
    }

    @Test
    void abortedTurnKeepsItsStreamedTextAndReportsTheAbort() {
        TurnEvents turn = new TurnEvents(ABORTED, DIRECTORY);

        List<ReplyEvent> events = feedAll(turn);

        assertThat(text(events)).startsWith("tick tick");
        assertThat(turn.streamedText()).isEqualTo(text(events));
        assertThat(turn.sessionError()).hasValueSatisfying(failure -> assertThat(failure.kind())
                .isEqualTo(Kind.ABORTED));
    }

    @Test
    void idleOfEarlierTurnsIsNoEndSignalBeforeThePromptStarted() {
        TurnEvents turn = new TurnEvents(ABORTED, DIRECTORY);
        boolean signalled = false;
        for (JsonNode event : recorded) {
            if (isUserMessage(event, ABORTED)) {
                break;
            }
            turn.accept(event);
            signalled |= turn.takeEndSignal();
        }

        assertThat(signalled).isFalse();
        assertThat(turn.started()).isFalse();
    }

    @Test
    void idleAfterThePromptStartedIsAnEndSignal() {
        TurnEvents turn = new TurnEvents(WRITE_INSIDE, DIRECTORY);
        boolean signalled = false;
        for (JsonNode event : recorded) {
            turn.accept(event);
            signalled |= turn.takeEndSignal();
            if (isUserMessage(event, WRITE_OUTSIDE)) {
                break;
            }
        }

        assertThat(signalled).isTrue();
        assertThat(turn.busySeen()).isTrue();
    }

    @Test
    void reasoningPartDeltasAreReasoning() throws IOException {
        TurnEvents turn = new TurnEvents("msg_u", DIRECTORY);
        List<ReplyEvent> events = new ArrayList<>();
        for (String event : List.of(
                "{\"type\":\"message.updated\",\"properties\":{\"info\":{\"id\":\"msg_a\",\"role\":\"assistant\",\"parentID\":\"msg_u\"}}}",
                "{\"type\":\"message.part.updated\",\"properties\":{\"part\":{\"id\":\"prt_r\",\"messageID\":\"msg_a\",\"type\":\"reasoning\",\"text\":\"\"}}}",
                "{\"type\":\"message.part.delta\",\"properties\":{\"messageID\":\"msg_a\",\"partID\":\"prt_r\",\"field\":\"text\",\"delta\":\"thinking\"}}",
                "{\"type\":\"message.part.updated\",\"properties\":{\"part\":{\"id\":\"prt_t\",\"messageID\":\"msg_a\",\"type\":\"text\",\"text\":\"\"}}}",
                "{\"type\":\"message.part.delta\",\"properties\":{\"messageID\":\"msg_a\",\"partID\":\"prt_t\",\"field\":\"text\",\"delta\":\"answer\"}}",
                "{\"type\":\"message.part.delta\",\"properties\":{\"messageID\":\"msg_other\",\"partID\":\"prt_x\",\"field\":\"text\",\"delta\":\"user text\"}}")) {
            events.addAll(turn.accept(JSON.readTree(event)));
        }

        assertThat(events).containsExactly(new ReplyEvent.ReasoningDelta("thinking"), new ReplyEvent.TextDelta("answer"));
    }

    @Test
    void textOfASecondPartIsSeparatedByABlankLine() throws IOException {
        TurnEvents turn = new TurnEvents("msg_u", DIRECTORY);
        List<ReplyEvent> events = new ArrayList<>();
        for (String event : List.of(
                "{\"type\":\"message.updated\",\"properties\":{\"info\":{\"id\":\"msg_a\",\"role\":\"assistant\",\"parentID\":\"msg_u\"}}}",
                "{\"type\":\"message.part.delta\",\"properties\":{\"messageID\":\"msg_a\",\"partID\":\"prt_1\",\"field\":\"text\",\"delta\":\"one\"}}",
                "{\"type\":\"message.part.delta\",\"properties\":{\"messageID\":\"msg_a\",\"partID\":\"prt_2\",\"field\":\"text\",\"delta\":\"two\"}}")) {
            events.addAll(turn.accept(JSON.readTree(event)));
        }

        assertThat(text(events)).isEqualTo("one\n\ntwo");
    }

    private static boolean isUserMessage(JsonNode event, String id) {
        return "message.updated".equals(event.path("type").asText())
                && id.equals(event.path("properties").path("info").path("id").asText());
    }
}
