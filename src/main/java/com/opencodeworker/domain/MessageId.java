package com.opencodeworker.domain;

import java.util.Objects;
import java.util.regex.Pattern;

/** A user message in Convex, the unit of work. */
public record MessageId(String value) {
    private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    public MessageId {
        Objects.requireNonNull(value, "MessageId");
        if (!FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid MessageId: " + QuotedText.quote(value));
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
