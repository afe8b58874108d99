package com.opencodeworker.infrastructure.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import com.opencodeworker.domain.port.ReplyEvent;
import com.opencodeworker.domain.port.ReplyResult.Failure;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Maps the event stream of one session during one prompt to reply events: text and reasoning
 * deltas of the prompt's assistant messages only (user parts also arrive), one line per shown
 * tool state change, the session's error, and whether the turn signalled its end.
 * Not thread-safe: its owner feeds it one event at a time.
 */
final class TurnEvents {
    private final String promptId;
    private final Path directory;
    private final Set<String> assistantMessages = new HashSet<>();
    private final Map<String, String> partTypes = new HashMap<>();
    private final Map<String, String> toolStatuses = new HashMap<>();
    private final PartText text = new PartText();
    private final PartText reasoning = new PartText();
    private Optional<Failure> sessionError = Optional.empty();
    private boolean started;
    private boolean busySeen;
    private boolean endSignalled;

    TurnEvents(String promptId, Path directory) {
        this.promptId = promptId;
        this.directory = directory;
    }

    /** The prompt was accepted by OpenCode (its user message exists). */
    void markStarted() {
        started = true;
    }

    List<ReplyEvent> accept(JsonNode event) {
        JsonNode properties = event.path("properties");
        List<ReplyEvent> out = new ArrayList<>(1);
        switch (event.path("type").asText()) {
            case "message.updated" -> onMessage(properties.path("info"));
            case "message.part.updated" -> onPart(properties.path("part"), out);
            case "message.part.delta" -> onDelta(properties, out);
            case "session.error" -> sessionError = Optional.of(OpenCodeErrors.toFailure(properties.path("error")));
            case "session.status" -> onStatus(properties.path("status").path("type").asText());
            case "session.idle" -> onStatus("idle");
            default -> {
            }
        }
        return out;
    }

    private void onMessage(JsonNode info) {
        String id = info.path("id").asText();
        if ("user".equals(info.path("role").asText()) && promptId.equals(id)) {
            started = true;
        } else if ("assistant".equals(info.path("role").asText()) && promptId.equals(info.path("parentID").asText())) {
            assistantMessages.add(id);
        }
    }

    private void onStatus(String status) {
        if ("busy".equals(status) && started) {
            busySeen = true;
        } else if ("idle".equals(status) && started) {
            endSignalled = true;
        }
    }

    private void onPart(JsonNode part, List<ReplyEvent> out) {
        if (!assistantMessages.contains(part.path("messageID").asText())) {
            return;
        }
        String type = part.path("type").asText();
        partTypes.put(part.path("id").asText(), type);
        if ("tool".equals(type)) {
            toolLine(part).ifPresent(line -> out.add(new ReplyEvent.ToolProgress(line)));
        }
    }

    private void onDelta(JsonNode delta, List<ReplyEvent> out) {
        if (!assistantMessages.contains(delta.path("messageID").asText())
                || !"text".equals(delta.path("field").asText())) {
            return;
        }
        String partId = delta.path("partID").asText();
        String piece = delta.path("delta").asText("");
        if ("reasoning".equals(partTypes.get(partId))) {
            String added = reasoning.append(partId, piece);
            if (!added.isEmpty()) {
                out.add(new ReplyEvent.ReasoningDelta(added));
            }
        } else {
            String added = text.append(partId, piece);
            if (!added.isEmpty()) {
                out.add(new ReplyEvent.TextDelta(added));
            }
        }
    }

    private Optional<String> toolLine(JsonNode part) {
        JsonNode state = part.path("state");
        String status = state.path("status").asText();
        if ("pending".equals(status) || status.equals(toolStatuses.get(part.path("callID").asText()))) {
            return Optional.empty();
        }
        toolStatuses.put(part.path("callID").asText(), status);
        String subject = subjectOf(part.path("tool").asText("tool"), state);
        String line = switch (status) {
            case "error" -> subject + ": error: " + OneLineText.firstLine(state.path("error").asText(""));
            default -> subject + ": " + status;
        };
        return Optional.of(OneLineText.shorten(line));
    }

    private String subjectOf(String tool, JsonNode state) {
        JsonNode input = state.path("input");
        for (String field : List.of("filePath", "command", "pattern", "url", "description")) {
            if (input.hasNonNull(field) && !input.get(field).asText().isBlank()) {
                String value = input.get(field).asText();
                return tool + " " + ("filePath".equals(field) ? relative(value) : value);
            }
        }
        return tool;
    }

    private String relative(String file) {
        Path path = Path.of(file);
        return path.isAbsolute() && path.normalize().startsWith(directory) ? directory.relativize(path.normalize())
                .toString() : file;
    }

    /** True once after each end signal (idle) seen after the prompt started. */
    boolean takeEndSignal() {
        boolean signalled = endSignalled;
        endSignalled = false;
        return signalled;
    }

    boolean started() {
        return started;
    }

    boolean busySeen() {
        return busySeen;
    }

    Optional<Failure> sessionError() {
        return sessionError;
    }

    String streamedText() {
        return text.toString();
    }

    String streamedReasoning() {
        return reasoning.toString();
    }
}
