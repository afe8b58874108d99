package com.opencodeworker.domain;

import java.util.Objects;

/** One piece of a reply's live view; {@code sequence} counts from 0 within an attempt, without gaps. */
public record Chunk(int sequence, ChunkKind kind, String text) {
    public Chunk {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0");
        }
    }
}
