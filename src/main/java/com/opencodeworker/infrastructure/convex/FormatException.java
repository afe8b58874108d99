package com.opencodeworker.infrastructure.convex;

/** A value from the backend that does not have the shape the contract gives it; the message names the field. */
final class FormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FormatException(String message) {
        super(message);
    }
}
