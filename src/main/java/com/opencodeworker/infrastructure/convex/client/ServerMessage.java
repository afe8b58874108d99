package com.opencodeworker.infrastructure.convex.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * A message from server to client on the sync WebSocket. Values and error data stay Convex-encoded
 * trees here; {@link ConvexValues} decodes them where they are delivered.
 */
public sealed interface ServerMessage {

    record Transition(StateVersion startVersion, StateVersion endVersion, List<QueryModification> modifications,
            Optional<Long> clientClockSkew, Optional<Long> serverTs) implements ServerMessage {
    }

    record TransitionChunk(String chunk, int partNumber, int totalParts, String transitionId) implements ServerMessage {
    }

    /** {@code ts} is present on success; on failure {@code result} holds the error message. */
    record MutationResponse(long requestId, boolean success, JsonNode result, Optional<Long> ts,
            List<String> logLines, Optional<JsonNode> errorData) implements ServerMessage {
    }

    record ActionResponse(long requestId, boolean success, JsonNode result, List<String> logLines,
            Optional<JsonNode> errorData) implements ServerMessage {
    }

    record AuthError(String error, Optional<Long> baseVersion, boolean authUpdateAttempted) implements ServerMessage {
    }

    record FatalError(String error) implements ServerMessage {
    }

    record Ping() implements ServerMessage {
    }

    /** One query's change inside a Transition. */
    sealed interface QueryModification {
        long queryId();
    }

    /** {@code journal} is the opaque journal string, or null for an empty journal. */
    record QueryUpdated(long queryId, JsonNode value, List<String> logLines, String journal) implements QueryModification {
    }

    record QueryFailed(long queryId, String errorMessage, List<String> logLines, String journal,
            Optional<JsonNode> errorData) implements QueryModification {
    }

    record QueryRemoved(long queryId) implements QueryModification {
    }
}
