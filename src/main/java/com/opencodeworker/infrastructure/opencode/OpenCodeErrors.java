package com.opencodeworker.infrastructure.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import com.opencodeworker.domain.port.ReplyResult.Failure.Kind;
import com.opencodeworker.domain.port.ReplyResult.Failure;
import java.util.Set;

/** Classifies OpenCode's error objects ({@code {"name": ..., "data": {"message": ...}}}) as reply failures. */
final class OpenCodeErrors {
    private static final Set<String> MODEL_ERRORS = Set.of("APIError", "ProviderAuthError", "ContextOverflowError",
            "MessageOutputLengthError", "AI_APICallError");

    private OpenCodeErrors() {
    }

    static Failure toFailure(JsonNode error) {
        String name = error.path("name").asText("Error");
        String message = OneLineText.firstLine(error.path("data").path("message").asText(""));
        String readable = message.isBlank() ? name : message;
        if ("MessageAbortedError".equals(name)) {
            return new Failure(Kind.ABORTED, "Aborted");
        }
        if ("ProviderModelNotFoundError".equals(name) || readable.contains("Model not found")) {
            return new Failure(Kind.UNKNOWN_MODEL, readable);
        }
        if (MODEL_ERRORS.contains(name)) {
            return new Failure(Kind.MODEL_ERROR, readable);
        }
        return new Failure(Kind.OTHER, name.equals(readable) ? name : name + ": " + readable);
    }
}
