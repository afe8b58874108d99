package com.opencodeworker.infrastructure.config;

import com.opencodeworker.domain.QuotedText;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Validates and normalises the address of a Convex deployment: http or https, a host, no trailing slash. */
public final class ConvexUrl {
    private static final String EXAMPLE = "https://<deployment>.convex.cloud";

    private ConvexUrl() {
    }

    /**
     * Normalises {@code raw}, e.g. {@code " HTTPS://happy-otter-123.convex.cloud/ "} to
     * {@code https://happy-otter-123.convex.cloud}.
     *
     * @throws IllegalArgumentException {@code Invalid Convex URL "<raw>": <reason>}
     */
    public static String normalise(String raw) {
        String url = raw.strip();
        if (url.isEmpty()) {
            throw invalid(raw, "it is empty; expected " + EXAMPLE);
        }
        if (url.codePoints().anyMatch(cp -> Character.isWhitespace(cp) || Character.isISOControl(cp))) {
            throw invalid(raw, "it contains whitespace");
        }
        if (!url.contains("://")) {
            throw invalid(raw, "the scheme is missing; expected " + EXAMPLE);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw invalid(raw, e.getReason());
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid(raw, "the scheme must be http or https, not " + scheme);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw invalid(raw, "the host is missing; expected " + EXAMPLE);
        }
        if (uri.getRawUserInfo() != null) {
            throw invalid(raw, "it must not contain a user name or password");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalid(raw, "it must not have a query or fragment");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + port + path;
    }

    private static IllegalArgumentException invalid(String raw, String reason) {
        return new IllegalArgumentException("Invalid Convex URL " + QuotedText.quote(raw.strip()) + ": " + reason);
    }
}
