package com.opencodeworker.infrastructure.convex.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Action;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Add;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Connect;
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
 * The client's half of the sync protocol's framing: client messages to JSON frames, server frames to
 * messages. Stateless and thread-safe; malformed frames throw {@link IllegalArgumentException}.
 */
public final class SyncMessageCodec {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SyncMessageCodec() {
    }

    /** The frame text of a client message. */
    public static String write(ClientMessage message) {
        return ConvexValues.writeTree(toJson(message));
    }

    public static ServerMessage readServer(String frame) {
        return serverFromJson(ConvexValues.readTree(frame));
    }

    public static ObjectNode toJson(ClientMessage message) {
        ObjectNode node = NODES.objectNode();
        if (message instanceof Connect connect) {
            node.put("type", "Connect");
            node.put("sessionId", connect.sessionId());
            node.put("connectionCount", connect.connectionCount());
            node.put("lastCloseReason", connect.lastCloseReason());
            node.put("clientTs", connect.clientTs());
            connect.maxObservedTimestamp().ifPresent(ts -> node.put("maxObservedTimestamp", ConvexValues.base64(ts)));
        } else if (message instanceof ModifyQuerySet modify) {
            node.put("type", "ModifyQuerySet");
            node.put("baseVersion", modify.baseVersion());
            node.put("newVersion", modify.newVersion());
            ArrayNode modifications = node.putArray("modifications");
            for (QuerySetModification modification : modify.modifications()) {
                modifications.add(toJson(modification));
            }
        } else if (message instanceof Mutation mutation) {
            node.put("type", "Mutation");
            node.put("requestId", mutation.requestId());
            node.put("udfPath", mutation.udfPath());
            node.putArray("args").add(mutation.args());
        } else if (message instanceof Action action) {
            node.put("type", "Action");
            node.put("requestId", action.requestId());
            node.put("udfPath", action.udfPath());
            node.putArray("args").add(action.args());
        }
        return node;
    }

    public static ServerMessage serverFromJson(JsonNode node) {
        String type = requiredText(node, "type");
        switch (type) {
            case "Transition": {
                List<QueryModification> modifications = new ArrayList<>();
                for (JsonNode modification : required(node, "modifications")) {
                    modifications.add(queryModificationFromJson(modification));
                }
                return new Transition(versionFromJson(required(node, "startVersion")),
                        versionFromJson(required(node, "endVersion")), List.copyOf(modifications),
                        optionalLong(node, "clientClockSkew"), optionalLong(node, "serverTs"));
            }
            case "TransitionChunk":
                return new TransitionChunk(requiredText(node, "chunk"), (int) requiredLong(node, "partNumber"),
                        (int) requiredLong(node, "totalParts"), requiredText(node, "transitionId"));
            case "MutationResponse":
                return new MutationResponse(requiredLong(node, "requestId"), node.path("success").asBoolean(),
                        node.path("result").isMissingNode() ? NODES.nullNode() : node.get("result"),
                        optionalTs(node, "ts"), logLines(node), optionalNode(node, "errorData"));
            case "ActionResponse":
                return new ActionResponse(requiredLong(node, "requestId"), node.path("success").asBoolean(),
                        node.path("result").isMissingNode() ? NODES.nullNode() : node.get("result"),
                        logLines(node), optionalNode(node, "errorData"));
            case "AuthError":
                return new AuthError(node.path("error").asText(""), optionalLong(node, "baseVersion"),
                        node.path("authUpdateAttempted").asBoolean());
            case "FatalError":
                return new FatalError(node.path("error").asText(""));
            case "Ping":
                return new Ping();
            default:
                throw new IllegalArgumentException("unknown server message type " + type);
        }
    }

    private static ObjectNode toJson(QuerySetModification modification) {
        ObjectNode node = NODES.objectNode();
        if (modification instanceof Add add) {
            node.put("type", "Add");
            node.put("queryId", add.queryId());
            node.put("udfPath", add.udfPath());
            node.putArray("args").add(add.args());
            add.journal().ifPresent(journal -> node.put("journal", journal.text()));
        } else if (modification instanceof Remove remove) {
            node.put("type", "Remove");
            node.put("queryId", remove.queryId());
        }
        return node;
    }

    private static QueryModification queryModificationFromJson(JsonNode node) {
        String type = requiredText(node, "type");
        String journal = node.path("journal").isTextual() ? node.get("journal").textValue() : null;
        switch (type) {
            case "QueryUpdated":
                return new QueryUpdated(requiredLong(node, "queryId"), node.path("value").isMissingNode()
                        ? NODES.nullNode() : node.get("value"), logLines(node), journal);
            case "QueryFailed":
                return new QueryFailed(requiredLong(node, "queryId"), node.path("errorMessage").asText(""), logLines(node),
                        journal, optionalNode(node, "errorData"));
            case "QueryRemoved":
                return new QueryRemoved(requiredLong(node, "queryId"));
            default:
                throw new IllegalArgumentException("unknown query modification " + type);
        }
    }

    private static StateVersion versionFromJson(JsonNode node) {
        return new StateVersion(requiredLong(node, "querySet"), requiredLong(node, "identity"),
                ConvexValues.fromBase64(requiredText(node, "ts")));
    }

    static ObjectNode singleArgs(JsonNode node) {
        JsonNode args = required(node, "args");
        if (args.isObject()) {
            return (ObjectNode) args;
        }
        if (!args.isArray() || args.size() != 1 || !args.get(0).isObject()) {
            throw new IllegalArgumentException("args must be one object");
        }
        return (ObjectNode) args.get(0);
    }

    static List<String> logLines(JsonNode node) {
        List<String> lines = new ArrayList<>();
        node.path("logLines").forEach(line -> lines.add(line.asText()));
        return List.copyOf(lines);
    }

    static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("missing " + field);
        }
        return value;
    }

    static String requiredText(JsonNode node, String field) {
        JsonNode value = required(node, field);
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return value.textValue();
    }

    static long requiredLong(JsonNode node, String field) {
        JsonNode value = required(node, field);
        if (!value.isNumber()) {
            throw new IllegalArgumentException(field + " must be a number");
        }
        return value.asLong();
    }

    static Optional<Long> optionalLong(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isNumber() ? Optional.empty() : Optional.of(value.asLong());
    }

    static Optional<Long> optionalTs(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() ? Optional.empty() : Optional.of(ConvexValues.fromBase64(value.textValue()));
    }

    static Optional<JsonNode> optionalNode(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isMissingNode() ? Optional.empty() : Optional.of(value);
    }
}
