package com.opencodeworker.infrastructure.opencode;

/** Keeps progress lines readable: one line, at most {@link #MAX_CHARS} characters. */
final class OneLineText {
    static final int MAX_CHARS = 160;

    private OneLineText() {
    }

    static String shorten(String text) {
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() > MAX_CHARS ? oneLine.substring(0, MAX_CHARS) + "…" : oneLine;
    }

    /** The first line of an error message, without the stack trace some errors carry. */
    static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return (newline < 0 ? text : text.substring(0, newline)).strip();
    }
}
