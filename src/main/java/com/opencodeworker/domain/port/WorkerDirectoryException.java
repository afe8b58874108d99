package com.opencodeworker.domain.port;

/** A worker directory that is missing, unreadable, not a directory, or outside the root; the message says which. */
public final class WorkerDirectoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WorkerDirectoryException(String message) {
        super(message);
    }
}
