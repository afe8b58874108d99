package com.opencodeworker.infrastructure.convex.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Action;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Add;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Connect;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.JournalValue;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.ModifyQuerySet;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Mutation;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.QuerySetModification;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Remove;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.ActionResponse;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.AuthError;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.FatalError;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.MutationResponse;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.Ping;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.QueryFailed;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.QueryModification;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.QueryRemoved;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.QueryUpdated;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.Transition;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.TransitionChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The server's half of the sync protocol's framing, for the fake Convex server: server messages to
 * JSON frames, client frames to messages ({@link SyncMessageCodec} is the client's half). Stateless;
 * malformed frames throw {@link IllegalArgumentException}.
 */
public final class SyncServerCodec {

    private SyncServerCodec() {
    }

    /** The frame text of a server message. */
    public static String write(ServerMessage message) {
        return ConvexValues.writeTree(toJson(message));
    }

    public static ClientMessage readClient(String frame) {
        return clientFromJson(ConvexValues.readTree(frame));
    }

    public static ClientMessage clientFromJson(JsonNode node) {
        String type = SyncMessageCodec.requiredText(node, "type");
        switch (type) {
            case "Connect":
                return new Connect(SyncMessageCodec.requiredText(node, "sessionId"), node.path("connectionCount").asLong(),
                        node.path("lastCloseReason").isTextual() ? node.get("lastCloseReason").textValue() : null,
                        node.path("clientTs").asLong(), SyncMessageCodec.optionalTs(node, "maxObservedTimestamp"));
            case "ModifyQuerySet": {
                List<QuerySetModification> modifications = new ArrayList<>();
                for (JsonNode modification : SyncMessageCodec.required(node, "modifications")) {
                    modifications.add(querySetModificationFromJson(modification));
                }
                return new ModifyQuerySet(SyncMessageCodec.requiredLong(node, "baseVersion"), SyncMessageCodec.requiredLong(node, "newVersion"),
                        List.copyOf(modifications));
            }
            case "Mutation":
                return new Mutation(SyncMessageCodec.requiredLong(node, "requestId"), SyncMessageCodec.requiredText(node, "udfPath"), SyncMessageCodec.singleArgs(node));
            case "Action":
                return new Action(SyncMessageCodec.requiredLong(node, "requestId"), SyncMessageCodec.requiredText(node, "udfPath"), SyncMessageCodec.singleArgs(node));
            default:
                throw new IllegalArgumentException("unsupported client message type " + type);
        }
    }

    public static ObjectNode toJson(ServerMessage message) {
        ObjectNode node = SyncMessageCodec.NODES.objectNode();
        if (message instanceof Transition transition) {
            node.put("type", "Transition");
            node.set("startVersion", toJson(transition.startVersion()));
            node.set("endVersion", toJson(transition.endVersion()));
            ArrayNode modifications = node.putArray("modifications");
            transition.modifications().forEach(modification -> modifications.add(toJson(modification)));
            transition.clientClockSkew().ifPresent(skew -> node.put("clientClockSkew", skew));
            transition.serverTs().ifPresent(ts -> node.put("serverTs", ts));
        } else if (message instanceof TransitionChunk chunk) {
            node.put("type", "TransitionChunk");
            node.put("chunk", chunk.chunk());
            node.put("partNumber", chunk.partNumber());
            node.put("totalParts", chunk.totalParts());
            node.put("transitionId", chunk.transitionId());
        } else if (message instanceof MutationResponse response) {
            node.put("type", "MutationResponse");
            node.put("requestId", response.requestId());
            node.put("success", response.success());
            node.set("result", response.result());
            if (response.ts().isPresent()) {
                node.put("ts", ConvexValues.base64(response.ts().get()));
            } else {
                node.putNull("ts");
            }
            putLogLines(node, response.logLines());
            response.errorData().ifPresent(data -> node.set("errorData", data));
        } else if (message instanceof ActionResponse response) {
            node.put("type", "ActionResponse");
            node.put("requestId", response.requestId());
            node.put("success", response.success());
            node.set("result", response.result());
            putLogLines(node, response.logLines());
            response.errorData().ifPresent(data -> node.set("errorData", data));
        } else if (message instanceof AuthError error) {
            node.put("type", "AuthError");
            node.put("error", error.error());
            node.put("baseVersion", error.baseVersion().orElse(null));
            node.put("authUpdateAttempted", error.authUpdateAttempted());
        } else if (message instanceof FatalError error) {
            node.put("type", "FatalError");
            node.put("error", error.error());
        } else if (message instanceof Ping) {
            node.put("type", "Ping");
        }
        return node;
    }

    private static QuerySetModification querySetModificationFromJson(JsonNode node) {
        String type = SyncMessageCodec.requiredText(node, "type");
        switch (type) {
            case "Add": {
                Optional<JournalValue> journal = node.has("journal")
                        ? Optional.of(new JournalValue(node.get("journal").isNull() ? null : node.get("journal").asText()))
                        : Optional.empty();
                return new Add(SyncMessageCodec.requiredLong(node, "queryId"), SyncMessageCodec.requiredText(node, "udfPath"), SyncMessageCodec.singleArgs(node), journal);
            }
            case "Remove":
                return new Remove(SyncMessageCodec.requiredLong(node, "queryId"));
            default:
                throw new IllegalArgumentException("unknown query set modification " + type);
        }
    }

    private static ObjectNode toJson(QueryModification modification) {
        ObjectNode node = SyncMessageCodec.NODES.objectNode();
        if (modification instanceof QueryUpdated updated) {
            node.put("type", "QueryUpdated");
            node.put("queryId", updated.queryId());
            node.set("value", updated.value());
            putLogLines(node, updated.logLines());
            node.put("journal", updated.journal());
        } else if (modification instanceof QueryFailed failed) {
            node.put("type", "QueryFailed");
            node.put("queryId", failed.queryId());
            node.put("errorMessage", failed.errorMessage());
            putLogLines(node, failed.logLines());
            node.put("journal", failed.journal());
            failed.errorData().ifPresent(data -> node.set("errorData", data));
        } else if (modification instanceof QueryRemoved removed) {
            node.put("type", "QueryRemoved");
            node.put("queryId", removed.queryId());
        }
        return node;
    }

    private static ObjectNode toJson(StateVersion version) {
        ObjectNode node = SyncMessageCodec.NODES.objectNode();
        node.put("querySet", version.querySet());
        node.put("identity", version.identity());
        node.put("ts", ConvexValues.base64(version.ts()));
        return node;
    }

    private static void putLogLines(ObjectNode node, List<String> lines) {
        ArrayNode array = node.putArray("logLines");
        lines.forEach(array::add);
    }
}
