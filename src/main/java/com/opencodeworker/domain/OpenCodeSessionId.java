package com.opencodeworker.domain;

import java.util.Objects;
import java.util.regex.Pattern;

/** A session of OpenCode ({@code ses_...}), the key to resume a conversation. */
public record OpenCodeSessionId(String value) {
    private static final Pattern FORMAT = Pattern.compile("ses_[A-Za-z0-9_-]{1,128}");

    public OpenCodeSessionId {
        Objects.requireNonNull(value, "OpenCodeSessionId");
        if (!FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid OpenCodeSessionId: " + QuotedText.quote(value));
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
