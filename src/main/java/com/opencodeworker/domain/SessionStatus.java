package com.opencodeworker.domain;

import java.util.Locale;

/** Lifecycle of a chat session: {@code active} while an OpenCode process serves it, {@code idle} after that process was stopped. */
public enum SessionStatus {
    ACTIVE, IDLE, CLOSED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SessionStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
