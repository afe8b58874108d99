package com.opencodeworker.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How many OpenCode servers the worker runs: one per chat session, or one per worker directory. */
public enum ProcessMode {
    /** One {@code opencode serve} per chat session: sessions isolated, one process each. */
    PER_SESSION,
    /** One {@code opencode serve} per worker directory, serving all of that directory's sessions. */
    PER_DIRECTORY;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@code per-session} or {@code per-directory}. */
    public static ProcessMode parse(String value) {
        for (ProcessMode mode : values()) {
            if (mode.wireName().equalsIgnoreCase(value.strip())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("Unknown process mode \"" + value + "\": expected one of "
                + Arrays.stream(values()).map(ProcessMode::wireName).collect(Collectors.joining(", ")));
    }
}
