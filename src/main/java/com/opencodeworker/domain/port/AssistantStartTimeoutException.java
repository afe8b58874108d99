package com.opencodeworker.domain.port;

/** An assistant process did not become ready in time: on a busy machine, worth another try. */
public class AssistantStartTimeoutException extends AssistantException {
    private static final long serialVersionUID = 1L;

    public AssistantStartTimeoutException(String message) {
        super(message);
    }
}
