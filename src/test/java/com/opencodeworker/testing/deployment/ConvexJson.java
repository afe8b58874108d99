package com.opencodeworker.testing.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Convex JSON for the test harness, independent of the worker's own codec (which it tests): every
 * bare number is a float64 ({@link Double}), {@code $integer} an int64 ({@link Long}).
 */
public final class ConvexJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ConvexJson() {
    }

    /** Strings, booleans, null, numbers (as float64; a {@link Long} as int64), lists and maps. */
    public static JsonNode encode(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof String s) {
            return NODES.textNode(s);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Long l) {
            byte[] bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(l).array();
            return NODES.objectNode().put("$integer", Base64.getEncoder().encodeToString(bytes));
        }
        if (value instanceof Number n) {
            return NODES.numberNode(n.doubleValue());
        }
        if (value instanceof JsonNode node) {
            return node;
        }
        if (value instanceof List<?> list) {
            ArrayNode array = NODES.arrayNode();
            list.forEach(item -> array.add(encode(item)));
            return array;
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            map.forEach((k, v) -> object.set((String) k, encode(v)));
            return object;
        }
        throw new IllegalArgumentException("not a Convex value: " + value.getClass());
    }

    public static Object decode(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(decode(item)));
            return list;
        }
        if (node.size() == 1 && node.has("$integer")) {
            return ByteBuffer.wrap(Base64.getDecoder().decode(node.get("$integer").textValue()))
                    .order(ByteOrder.LITTLE_ENDIAN).getLong();
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            map.put(field.getKey(), decode(field.getValue()));
        }
        return map;
    }
}
