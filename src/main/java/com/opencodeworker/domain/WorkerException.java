package com.opencodeworker.domain;

import java.util.Objects;

/**
 * The one exception that ends the worker: it carries the exit code and a one-line message for
 * the user. Only {@code Main} turns it into {@code System.exit}.
 */
public final class WorkerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ExitCode exitCode;

    public WorkerException(ExitCode exitCode, String message) {
        this(exitCode, message, null);
    }

    public WorkerException(ExitCode exitCode, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.exitCode = Objects.requireNonNull(exitCode, "exitCode");
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
