package com.opencodeworker.infrastructure.opencode;

import com.opencodeworker.domain.port.AssistantException;

/** OpenCode answered a request with an unexpected HTTP status. */
final class OpenCodeHttpException extends AssistantException {
    private static final long serialVersionUID = 1L;

    private final int status;

    OpenCodeHttpException(String request, int status, String body) {
        super("OpenCode answered HTTP " + status + " to " + request
                + (body.isBlank() ? "" : ": " + OneLineText.shorten(body)));
        this.status = status;
    }

    int status() {
        return status;
    }
}
