package com.opencodeworker.presentation;

import java.util.regex.Pattern;

/** Hides anything shaped like a machine secret in text shown to the user, e.g. an echoed command-line argument. */
final class Redaction {
    private static final Pattern SECRET = Pattern.compile("sec_[A-Za-z0-9_-]+");

    private Redaction() {
    }

    static String secrets(String text) {
        return text == null ? null : SECRET.matcher(text).replaceAll("sec_***");
    }
}
