package com.opencodeworker.infrastructure.convex;

import java.util.Objects;

/**
 * Removes the machine secret from text bound for a log line or an exception message. Servers
 * echo arguments in their errors (Convex's argument validation does), and the secret is one.
 */
final class ContractScrubber {
    static final String MASK = "sec_***";

    private final String secret;

    ContractScrubber(String secret) {
        this.secret = Objects.requireNonNull(secret, "secret");
    }

    String scrub(String text) {
        if (text == null) {
            return "";
        }
        return secret.isEmpty() ? text : text.replace(secret, MASK);
    }
}
