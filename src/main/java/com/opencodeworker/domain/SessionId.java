package com.opencodeworker.domain;

import java.util.Objects;
import java.util.regex.Pattern;

/** A chat session, as stored in Convex. */
public record SessionId(String value) {
    private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    public SessionId {
        Objects.requireNonNull(value, "SessionId");
        if (!FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid SessionId: " + QuotedText.quote(value));
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
