package com.opencodeworker.infrastructure.convex.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Convex JSON codec: plain Java values ({@code null}, Boolean, Double, Long = int64, String,
 * byte[], List, Map with String keys) to and from Jackson trees. Stateless and thread-safe.
 */
public final class ConvexValues {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ConvexValues() {
    }

    /** The shared, never reconfigured mapper for protocol text. */
    static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Encodes a Java value as Convex JSON; object keys are written in sorted order. */
    public static JsonNode toJson(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Double d) {
            return encodeDouble(d);
        }
        if (value instanceof Float f) {
            return encodeDouble(f.doubleValue());
        }
        if (value instanceof Long l) {
            return special("$integer", base64(l));
        }
        if (value instanceof Integer i) {
            throw new IllegalArgumentException("Integer is ambiguous in Convex: pass a Long (int64) or a Double (float64), got " + i);
        }
        if (value instanceof String s) {
            return NODES.textNode(s);
        }
        if (value instanceof byte[] bytes) {
            return special("$bytes", Base64.getEncoder().encodeToString(bytes));
        }
        if (value instanceof List<?> list) {
            ArrayNode array = NODES.arrayNode(list.size());
            for (Object element : list) {
                array.add(toJson(element));
            }
            return array;
        }
        if (value instanceof Map<?, ?> map) {
            return encodeObject(map);
        }
        throw new IllegalArgumentException("Not a Convex value: " + value.getClass().getName());
    }

    /** Decodes Convex JSON; every bare number becomes a Double, objects become insertion-ordered maps. */
    public static Object fromJson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (JsonNode element : node) {
                list.add(fromJson(element));
            }
            return Collections.unmodifiableList(list);
        }
        if (node.isObject()) {
            return decodeObject(node);
        }
        throw new IllegalArgumentException("Not Convex JSON: " + node.getNodeType());
    }

    /** Encodes a value as Convex JSON text. */
    public static String write(Object value) {
        return writeTree(toJson(value));
    }

    /** Decodes Convex JSON text. */
    public static Object read(String json) {
        return fromJson(readTree(json));
    }

    /** The argument object of a function call, validated and encoded (keys sorted). */
    public static ObjectNode encodeArgs(Map<String, ?> args) {
        return encodeObject(args == null ? Map.of() : args);
    }

    /** A u64 (timestamps, int64) as base64 of its 8 little-endian bytes. */
    public static String base64(long value) {
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
    }

    /** The inverse of {@link #base64(long)}; the text must decode to exactly 8 bytes. */
    public static long fromBase64(String text) {
        byte[] bytes = Base64.getDecoder().decode(text);
        if (bytes.length != 8) {
            throw new IllegalArgumentException("expected 8 bytes, got " + bytes.length);
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static String writeTree(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    static JsonNode readTree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            // The parser's own message quotes the input, which may hold secrets: report the position only.
            throw new IllegalArgumentException("invalid JSON at " + (e.getLocation() == null ? "?"
                    : "line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr()));
        }
    }

    private static JsonNode encodeDouble(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d) || Double.doubleToRawLongBits(d) == Long.MIN_VALUE) {
            long bits = Double.isNaN(d) ? Double.doubleToLongBits(d) : Double.doubleToRawLongBits(d);
            return special("$float", base64(bits));
        }
        return NODES.numberNode(d);
    }

    private static ObjectNode encodeObject(Map<?, ?> map) {
        TreeMap<String, Object> sorted = new TreeMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw new IllegalArgumentException("Convex object keys must be strings");
            }
            if (key.startsWith("$")) {
                throw new IllegalArgumentException("Convex object keys must not start with '$': " + key);
            }
            sorted.put(key, entry.getValue());
        }
        ObjectNode object = NODES.objectNode();
        sorted.forEach((key, element) -> object.set(key, toJson(element)));
        return object;
    }

    private static Object decodeObject(JsonNode node) {
        if (node.size() == 1) {
            String key = node.fieldNames().next();
            if (key.startsWith("$")) {
                return decodeSpecial(key, node.get(key));
            }
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().startsWith("$")) {
                throw new IllegalArgumentException("Convex object keys must not start with '$': " + field.getKey());
            }
            map.put(field.getKey(), fromJson(field.getValue()));
        }
        return Collections.unmodifiableMap(map);
    }

    private static Object decodeSpecial(String key, JsonNode value) {
        if (!value.isTextual()) {
            throw new IllegalArgumentException(key + " must hold a base64 string");
        }
        switch (key) {
            case "$integer":
                return fromBase64(value.textValue());
            case "$float": {
                double d = Double.longBitsToDouble(fromBase64(value.textValue()));
                if (!Double.isNaN(d) && !Double.isInfinite(d) && Double.doubleToRawLongBits(d) != Long.MIN_VALUE) {
                    throw new IllegalArgumentException("$float " + d + " should be encoded as a number");
                }
                return d;
            }
            case "$bytes":
                return Base64.getDecoder().decode(value.textValue());
            default:
                throw new IllegalArgumentException("unknown Convex special value " + key);
        }
    }

    private static ObjectNode special(String key, String text) {
        ObjectNode node = NODES.objectNode();
        node.put(key, text);
        return node;
    }
}
