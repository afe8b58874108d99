package com.opencodeworker.application;

/**
 * The worker is stopping, so no new OpenCode process is handed out; the message that asked for
 * one is left for another instance (or the next start).
 */
public final class WorkerStoppingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WorkerStoppingException() {
        super("the worker is stopping");
    }
}
