package com.opencodeworker.domain;

/** The worker's documented process exit codes. */
public enum ExitCode {
    /** Normal stop. */
    OK(0),
    /** Unexpected failure. */
    FAILURE(1),
    /** Invalid input or configuration. */
    INVALID_INPUT(2),
    /** The backend rejected the machine token. */
    AUTH_REJECTED(3),
    /** Another worker connected with the same machine token. */
    SUPERSEDED(4),
    /** Another worker runs with the same config file on this host. */
    ALREADY_RUNNING(5);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
