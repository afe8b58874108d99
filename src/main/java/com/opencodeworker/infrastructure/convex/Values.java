package com.opencodeworker.infrastructure.convex;

import com.opencodeworker.infrastructure.convex.client.ConvexFunctions;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads typed fields out of the plain Java values {@link ConvexFunctions} returns, strictly: a
 * missing or mistyped field is a {@link FormatException}. Nullable fields may also be absent.
 */
final class Values {
    /** Integral values beyond 2^53 cannot be told apart as doubles. */
    private static final double MAX_EXACT = 9_007_199_254_740_992d;

    private Values() {
    }

    static Map<?, ?> object(Object value, String what) {
        if (value instanceof Map<?, ?> map) {
            return map;
        }
        throw new FormatException(what + " is not an object but " + typeOf(value));
    }

    static List<?> list(Object value, String what) {
        if (value instanceof List<?> list) {
            return list;
        }
        throw new FormatException(what + " is not an array but " + typeOf(value));
    }

    static String string(Map<?, ?> record, String field) {
        if (record.get(field) instanceof String value) {
            return value;
        }
        throw invalid(record, field, "a string");
    }

    static Optional<String> nullableString(Map<?, ?> record, String field) {
        Object value = record.get(field);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof String text) {
            return Optional.of(text);
        }
        throw invalid(record, field, "a string or null");
    }

    static boolean bool(Map<?, ?> record, String field) {
        if (record.get(field) instanceof Boolean value) {
            return value;
        }
        throw invalid(record, field, "a boolean");
    }

    /** A time in ms since the epoch; Convex times may carry fractions of a millisecond, which are dropped. */
    static long timestamp(Map<?, ?> record, String field) {
        double value = finiteNumber(record, field, "a timestamp");
        return (long) Math.floor(value);
    }

    static Optional<Long> nullableTimestamp(Map<?, ?> record, String field) {
        if (record.get(field) == null) {
            return Optional.empty();
        }
        return Optional.of(timestamp(record, field));
    }

    /** A whole number (sent as a JSON number, so a double) that must be exact. */
    static long integral(Map<?, ?> record, String field) {
        double value = finiteNumber(record, field, "a whole number");
        if (value != Math.rint(value) || Math.abs(value) > MAX_EXACT) {
            throw invalid(record, field, "a whole number");
        }
        return (long) value;
    }

    static int smallIntegral(Map<?, ?> record, String field) {
        long value = integral(record, field);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw invalid(record, field, "a whole number in int range");
        }
        return (int) value;
    }

    private static double finiteNumber(Map<?, ?> record, String field, String expected) {
        Object value = record.get(field);
        double number;
        if (value instanceof Double d) {
            number = d;
        } else if (value instanceof Long l) {
            number = l;
        } else {
            throw invalid(record, field, expected);
        }
        if (!Double.isFinite(number)) {
            throw invalid(record, field, expected);
        }
        return number;
    }

    private static FormatException invalid(Map<?, ?> record, String field, String expected) {
        String found = record.containsKey(field) ? typeOf(record.get(field)) : "missing";
        return new FormatException("field " + field + " must be " + expected + " (found: " + found + ")");
    }

    private static String typeOf(Object value) {
        return value == null ? "null" : value.getClass().getSimpleName();
    }
}
