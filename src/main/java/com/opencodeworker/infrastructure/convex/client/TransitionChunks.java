package com.opencodeworker.infrastructure.convex.client;

import com.opencodeworker.infrastructure.convex.client.ServerMessage.TransitionChunk;
import java.util.Optional;

/**
 * Reassembles a Transition sent as {@code TransitionChunk} parts 0..n-1 of one transition id. A gap or
 * mismatch throws; any other message in between discards the parts ({@link #reset()}). Confined to the
 * sync client's protocol tasks; not thread-safe.
 */
final class TransitionChunks {
    private static final long MAX_CHARS = 256L * 1024 * 1024;

    private final StringBuilder text = new StringBuilder();
    private String transitionId;
    private int expectedPart;
    private int totalParts;

    /** Adds a part; returns the whole Transition's JSON text once the last part arrived. */
    Optional<String> add(TransitionChunk chunk) {
        if (transitionId == null) {
            if (chunk.partNumber() != 0 || chunk.totalParts() < 1) {
                reset();
                throw new IllegalArgumentException("TransitionChunk sequence does not start at part 0");
            }
            transitionId = chunk.transitionId();
            totalParts = chunk.totalParts();
        } else if (!transitionId.equals(chunk.transitionId()) || chunk.partNumber() != expectedPart
                || chunk.totalParts() != totalParts) {
            reset();
            throw new IllegalArgumentException("TransitionChunk out of sequence");
        }
        if (text.length() + (long) chunk.chunk().length() > MAX_CHARS) {
            reset();
            throw new IllegalArgumentException("chunked Transition larger than " + MAX_CHARS + " chars");
        }
        text.append(chunk.chunk());
        expectedPart++;
        if (expectedPart < totalParts) {
            return Optional.empty();
        }
        String whole = text.toString();
        reset();
        return Optional.of(whole);
    }

    void reset() {
        text.setLength(0);
        transitionId = null;
        expectedPart = 0;
        totalParts = 0;
    }

    boolean inProgress() {
        return transitionId != null;
    }
}
