package com.opencodeworker.infrastructure.convex;

import com.opencodeworker.infrastructure.convex.client.ConvexException;

/**
 * Stands in for a {@link ConvexException} as the cause of a backend exception: same type name in
 * the message, same stack, but the message scrubbed of the secret.
 */
final class ScrubbedCause extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ScrubbedCause(ConvexException original, SecretScrubber scrubber) {
        super(original.getClass().getSimpleName() + ": " + scrubber.scrub(original.getMessage()), original.getCause());
        setStackTrace(original.getStackTrace());
    }
}
