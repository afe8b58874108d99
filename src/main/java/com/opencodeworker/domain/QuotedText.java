package com.opencodeworker.domain;

/** Shows a rejected value in an error message: quoted, shortened, control characters escaped, so it stays one line. */
public final class QuotedText {
    private static final int MAX_SHOWN = 80;

    private QuotedText() {
    }

    public static String quote(String value) {
        String shown = value.length() > MAX_SHOWN ? value.substring(0, MAX_SHOWN) + "…" : value;
        StringBuilder out = new StringBuilder("\"");
        shown.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.append('"').toString();
    }
}
