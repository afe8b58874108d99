package com.opencodeworker.testing.convex;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Validates a fake function's arguments the way Convex's argument validators do: each field read
 * must be present with its type, {@code v.optional} fields may be absent but never null, numbers
 * must be doubles (bare JSON numbers), and {@link #noOthers()} rejects fields nobody read. A failure
 * is a plain error (no ConvexError data) whose message echoes the arguments, as Convex's does.
 * Not thread-safe: one instance per call.
 */
final class FakeBackendArgs {
    private final String function;
    private final String path;
    private final Map<?, ?> args;
    private final Set<String> read = new HashSet<>();

    FakeBackendArgs(String function, Map<?, ?> args) {
        this(function, "", args);
    }

    private FakeBackendArgs(String function, String path, Map<?, ?> args) {
        this.function = function;
        this.path = path;
        this.args = args;
    }

    String string(String name) {
        if (field(name, true) instanceof String value) {
            return value;
        }
        throw invalid(name, "a string");
    }

    String nullableString(String name) {
        Object value = field(name, true);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw invalid(name, "a string or null");
    }

    Optional<String> optionalString(String name) {
        if (!args.containsKey(name)) {
            read.add(name);
            return Optional.empty();
        }
        return Optional.of(string(name));
    }

    String literal(String name, String... allowed) {
        String value = string(name);
        if (!List.of(allowed).contains(value)) {
            throw invalid(name, "one of " + List.of(allowed));
        }
        return value;
    }

    Optional<String> optionalLiteral(String name, String... allowed) {
        if (!args.containsKey(name)) {
            read.add(name);
            return Optional.empty();
        }
        return Optional.of(literal(name, allowed));
    }

    double number(String name) {
        if (field(name, true) instanceof Double value) {
            return value;
        }
        throw invalid(name, "a number (float64)");
    }

    /** A number that the contract uses as a whole count (attempt, sequence). */
    long wholeNumber(String name) {
        double value = number(name);
        if (value != Math.rint(value) || value < 0) {
            throw invalid(name, "a whole number >= 0");
        }
        return (long) value;
    }

    boolean bool(String name) {
        if (field(name, true) instanceof Boolean value) {
            return value;
        }
        throw invalid(name, "a boolean");
    }

    List<?> list(String name) {
        if (field(name, true) instanceof List<?> value) {
            return value;
        }
        throw invalid(name, "an array");
    }

    /** The element {@code index} of an array argument, as an object to validate in turn. */
    FakeBackendArgs element(String name, List<?> list, int index) {
        String elementPath = path + "." + name + "[" + index + "]";
        if (list.get(index) instanceof Map<?, ?> map) {
            return new FakeBackendArgs(function, elementPath, map);
        }
        throw failure("Value at " + elementPath + " must be an object");
    }

    /** A nullable object argument, to validate in turn; empty for null. */
    Optional<FakeBackendArgs> nullableObject(String name) {
        Object value = field(name, true);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Map<?, ?> map) {
            return Optional.of(new FakeBackendArgs(function, path + "." + name, map));
        }
        throw invalid(name, "an object or null");
    }

    /** Rejects any field that was not read, like a Convex object validator. */
    void noOthers() {
        Set<String> extra = new TreeSet<>();
        for (Object key : args.keySet()) {
            if (!read.contains(String.valueOf(key))) {
                extra.add(String.valueOf(key));
            }
        }
        if (!extra.isEmpty()) {
            throw failure("Object contains extra field(s) " + extra + " that are not in the validator");
        }
    }

    private Object field(String name, boolean required) {
        read.add(name);
        if (required && !args.containsKey(name)) {
            throw failure("Object is missing the required field `" + name + "`");
        }
        return args.get(name);
    }

    private IllegalArgumentException invalid(String name, String expected) {
        return failure("Value at " + path + "." + name + " does not match validator: expected " + expected);
    }

    private IllegalArgumentException failure(String problem) {
        return new IllegalArgumentException("ArgumentValidationError: " + problem + ".\nObject: " + args
                + "\nFunction: " + function);
    }
}
