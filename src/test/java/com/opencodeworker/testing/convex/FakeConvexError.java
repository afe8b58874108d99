package com.opencodeworker.testing.convex;

import java.util.Map;

/** Thrown by a fake function to answer with a ConvexError whose data is {@code {code, message}}. */
public final class FakeConvexError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String code;

    public FakeConvexError(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }

    public Map<String, Object> data() {
        return Map.of("code", code, "message", getMessage());
    }
}
