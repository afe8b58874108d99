package com.opencodeworker.domain;

import java.util.Locale;

/** What a streamed chunk carries. */
public enum ChunkKind {
    TEXT, REASONING, TOOL;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
