package com.opencodeworker.domain.port;

/**
 * A failed backend call. Subclasses name the contract's error codes; {@link #retryable()} tells
 * "try again with backoff" (transport trouble, 5xx, a dropped socket) from "give up".
 */
public class BackendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public BackendException(String message, boolean retryable) {
        this(message, retryable, null);
    }

    public BackendException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    /** Transport failure, HTTP 5xx/429, WebSocket close 1011/1013, a mutation left unanswered: retry. */
    public static final class Transient extends BackendException {
        private static final long serialVersionUID = 1L;

        public Transient(String message, Throwable cause) {
            super(message, true, cause);
        }
    }

    /** {@code UNAUTHORIZED}: the machine token was rejected, or a named object is not this machine's. */
    public static final class Unauthorized extends BackendException {
        private static final long serialVersionUID = 1L;

        public Unauthorized(String message) {
            super(message, false);
        }
    }

    /** {@code SUPERSEDED}: another worker connected with this machine token. */
    public static final class Superseded extends BackendException {
        private static final long serialVersionUID = 1L;

        public Superseded(String message) {
            super(message, false);
        }
    }

    /** {@code LEASE_LOST}: this instance no longer holds the message's attempt; write nothing more for it. */
    public static final class LeaseLost extends BackendException {
        private static final long serialVersionUID = 1L;

        public LeaseLost(String message) {
            super(message, false);
        }
    }

    /**
     * The URL answers, but not as a Convex deployment with the worker's functions: HTTP 404, or
     * Convex's "Could not find public function". A wrong URL (or functions not deployed), not a fault.
     */
    public static final class WrongDeployment extends BackendException {
        private static final long serialVersionUID = 1L;

        public WrongDeployment(String message) {
            super(message, false);
        }
    }

    /** {@code NOT_FOUND}. */
    public static final class NotFound extends BackendException {
        private static final long serialVersionUID = 1L;

        public NotFound(String message) {
            super(message, false);
        }
    }

    /** {@code INVALID_ARGUMENT}, or any other function error: permanent for that call. */
    public static final class Rejected extends BackendException {
        private static final long serialVersionUID = 1L;

        public Rejected(String message) {
            super(message, false);
        }
    }
}
