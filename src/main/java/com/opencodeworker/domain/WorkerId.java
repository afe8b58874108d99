package com.opencodeworker.domain;

import java.util.Objects;
import java.util.regex.Pattern;

/** A directory-bound assistant of a machine, as stored in Convex. */
public record WorkerId(String value) {
    private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    public WorkerId {
        Objects.requireNonNull(value, "WorkerId");
        if (!FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid WorkerId: " + QuotedText.quote(value));
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
