package com.opencodeworker.infrastructure.config;

import java.util.Objects;

/**
 * One raw setting value and where it came from ({@code --idle-timeout}, {@code IDLE_TIMEOUT},
 * {@code IDLE_TIMEOUT in .env}, ...), so an error can tell the user what to fix.
 */
public record Setting(String value, String origin) {
    public Setting {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(origin, "origin");
    }

    /** The message of a rejected value, followed by where it came from. */
    public String explain(String problem) {
        return problem + "; from " + origin;
    }
}
