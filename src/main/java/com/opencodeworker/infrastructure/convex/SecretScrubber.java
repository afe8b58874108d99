package com.opencodeworker.infrastructure.convex;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Prepares server text for a log line or an exception message: removes the machine secret (servers
 * echo arguments in their errors, Convex's argument validation does, and the secret is one) and
 * joins lines, so one failure stays one log line.
 */
final class SecretScrubber {
    static final String MASK = "sec_***";
    private static final Pattern LINE_BREAKS = Pattern.compile("\\s*\\R\\s*");

    private final String secret;

    SecretScrubber(String secret) {
        this.secret = Objects.requireNonNull(secret, "secret");
    }

    String scrub(String text) {
        if (text == null) {
            return "";
        }
        String masked = secret.isEmpty() ? text : text.replace(secret, MASK);
        return LINE_BREAKS.matcher(masked.strip()).replaceAll(" | ");
    }
}
