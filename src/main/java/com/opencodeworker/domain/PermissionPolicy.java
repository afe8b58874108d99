package com.opencodeworker.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the worker answers OpenCode's permission requests while nobody can answer them in the web
 * app. The {@code question} tool is always denied: no one is there to answer it.
 */
public enum PermissionPolicy {
    /** Edits, commands and reads inside the worker's directory run; anything outside it is denied. */
    DEFAULT,
    /** Reads only: edits, writes and commands are denied as well. */
    READ_ONLY,
    /** Everything runs, also outside the worker's directory. */
    ALLOW_ALL;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@code default}, {@code read-only} or {@code allow-all}. */
    public static PermissionPolicy parse(String value) {
        for (PermissionPolicy policy : values()) {
            if (policy.wireName().equalsIgnoreCase(value.strip())) {
                return policy;
            }
        }
        throw new IllegalArgumentException("Unknown permission policy \"" + value + "\": expected one of "
                + Arrays.stream(values()).map(PermissionPolicy::wireName).collect(Collectors.joining(", ")));
    }
}
