package com.opencodeworker.domain;

/** Helpers shared by the branded id records. */
final class Ids {
    private static final int MAX_SHOWN = 80;

    private Ids() {
    }

    /** Quotes a rejected value for an error message, shortened so a 10 KB input stays one short line. */
    static String quote(String value) {
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
