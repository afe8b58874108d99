package com.opencodeworker.infrastructure.opencode;

/**
 * Text gathered from several parts, separated by a blank line when a new part starts, the same
 * way whether it is built from streamed deltas or from the stored parts. Not thread-safe.
 */
final class PartText {
    static final String SEPARATOR = "\n\n";

    private final StringBuilder text = new StringBuilder();
    private String lastPart = "";

    /** Appends {@code piece} of part {@code partId}; returns what was added (with a separator if needed). */
    String append(String partId, String piece) {
        if (piece.isEmpty()) {
            return "";
        }
        String added = !partId.equals(lastPart) && text.length() > 0 ? SEPARATOR + piece : piece;
        lastPart = partId;
        text.append(added);
        return added;
    }

    int length() {
        return text.length();
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
