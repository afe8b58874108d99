package com.opencodeworker.domain;

import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/** One running worker process (a random UUID); the newest connect of a machine wins. */
public record InstanceId(String value) {
    private static final Pattern FORMAT = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    public InstanceId {
        Objects.requireNonNull(value, "InstanceId");
        if (!FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid InstanceId: " + QuotedText.quote(value));
        }
    }

    /** A fresh random instance id. */
    public static InstanceId random() {
        return new InstanceId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
