package com.opencodeworker.infrastructure.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.opencodeworker.domain.Usage;
import com.opencodeworker.domain.port.PromptRecord;
import com.opencodeworker.domain.port.ReplyResult.Failure;
import com.opencodeworker.domain.port.ReplyResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What a session's history ({@code GET /session/{id}/message}) says about one prompt: whether it
 * was sent, whether its reply finished, and the reply as a {@link ReplyResult}. One user turn can
 * have several assistant messages (one per step), all with the prompt as {@code parentID}.
 */
record TurnSnapshot(boolean sent, boolean answered, boolean finished, ReplyResult result) {

    /** The snapshot of the prompt whose user message id matches {@code isPrompt} (the newest such one). */
    static TurnSnapshot of(JsonNode messages, Predicate<String> isPrompt, ObjectMapper json) {
        String promptId = null;
        for (JsonNode message : messages) {
            JsonNode info = message.path("info");
            if ("user".equals(info.path("role").asText()) && isPrompt.test(info.path("id").asText())) {
                promptId = info.path("id").asText();
            }
        }
        return of(messages, promptId == null ? "" : promptId, json);
    }

    static TurnSnapshot of(JsonNode messages, String promptId, ObjectMapper json) {
        boolean sent = false;
        List<JsonNode> replies = new ArrayList<>();
        for (JsonNode message : messages) {
            JsonNode info = message.path("info");
            if ("user".equals(info.path("role").asText()) && promptId.equals(info.path("id").asText())) {
                sent = true;
            } else if ("assistant".equals(info.path("role").asText())
                    && promptId.equals(info.path("parentID").asText())) {
                replies.add(message);
            }
        }
        return new TurnSnapshot(sent, !replies.isEmpty(), isFinished(replies), resultOf(replies, json));
    }

    private static boolean isFinished(List<JsonNode> replies) {
        if (replies.isEmpty()) {
            return false;
        }
        JsonNode last = replies.get(replies.size() - 1).path("info");
        return last.path("time").hasNonNull("completed") && !last.hasNonNull("error")
                && !"tool-calls".equals(last.path("finish").asText());
    }

    private static ReplyResult resultOf(List<JsonNode> replies, ObjectMapper json) {
        PartText text = new PartText();
        PartText reasoning = new PartText();
        ArrayNode parts = json.createArrayNode();
        long input = 0;
        long output = 0;
        double cost = 0;
        Optional<Failure> failure = Optional.empty();
        for (JsonNode reply : replies) {
            JsonNode info = reply.path("info");
            input += info.path("tokens").path("input").asLong();
            output += info.path("tokens").path("output").asLong();
            cost += info.path("cost").asDouble();
            if (info.hasNonNull("error")) {
                failure = Optional.of(OpenCodeErrors.toFailure(info.get("error")));
            }
            for (JsonNode part : reply.path("parts")) {
                parts.add(part);
                if (part.path("ignored").asBoolean(false)) {
                    continue;
                }
                switch (part.path("type").asText()) {
                    case "text" -> text.append(part.path("id").asText(), part.path("text").asText());
                    case "reasoning" -> reasoning.append(part.path("id").asText(), part.path("text").asText());
                    default -> {
                    }
                }
            }
        }
        Optional<Usage> usage = replies.isEmpty() ? Optional.empty() : Optional.of(new Usage(input, output, cost));
        Optional<String> partsJson = replies.isEmpty() ? Optional.empty() : Optional.of(parts.toString());
        return new ReplyResult(text.toString(), reasoning.toString(), partsJson, usage, failure);
    }

    PromptRecord record() {
        if (!sent) {
            return new PromptRecord.NotSent();
        }
        return finished && result.succeeded() ? new PromptRecord.Finished(result) : new PromptRecord.Unfinished();
    }
}
