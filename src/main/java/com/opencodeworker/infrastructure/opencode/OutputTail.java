package com.opencodeworker.infrastructure.opencode;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The last lines a server printed, kept for error messages. Bounded: past {@code capacity} lines
 * the oldest is dropped, and each line is cut at {@link #MAX_LINE_CHARS}. All state is guarded by this.
 */
final class OutputTail {
    static final int MAX_LINE_CHARS = 500;

    private final int capacity;
    private final Deque<String> lines = new ArrayDeque<>();

    OutputTail(int capacity) {
        this.capacity = capacity;
    }

    synchronized void add(String line) {
        if (lines.size() == capacity) {
            lines.removeFirst();
        }
        lines.addLast(line.length() > MAX_LINE_CHARS ? line.substring(0, MAX_LINE_CHARS) + "…" : line);
    }

    synchronized String text() {
        return lines.isEmpty() ? "(no output)" : String.join("\n", lines);
    }
}
