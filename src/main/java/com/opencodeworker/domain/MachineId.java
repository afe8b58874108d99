package com.opencodeworker.domain;

import java.util.Objects;
import java.util.regex.Pattern;

/** A machine, as named in its token ({@code mch_...}). */
public record MachineId(String value) {
    private static final Pattern FORMAT = Pattern.compile("mch_[A-Za-z0-9_-]{3,64}");

    public MachineId {
        Objects.requireNonNull(value, "MachineId");
        if (!FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid MachineId: " + QuotedText.quote(value));
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
