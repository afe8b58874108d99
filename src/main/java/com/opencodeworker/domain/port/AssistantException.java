package com.opencodeworker.domain.port;

/** An assistant process could not be started, or failed to answer a request. */
public class AssistantException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AssistantException(String message) {
        super(message);
    }

    public AssistantException(String message, Throwable cause) {
        super(message, cause);
    }
}
