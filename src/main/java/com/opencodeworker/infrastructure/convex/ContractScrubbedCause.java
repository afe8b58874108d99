package com.opencodeworker.infrastructure.convex;

/**
 * Stands in for a {@link ConvexException} as the cause of a backend exception: same type name in
 * the message, same stack, but the message scrubbed of the secret.
 */
final class ContractScrubbedCause extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ContractScrubbedCause(ConvexException original, ContractScrubber scrubber) {
        super(original.getClass().getSimpleName() + ": " + scrubber.scrub(original.getMessage()), original.getCause());
        setStackTrace(original.getStackTrace());
    }
}
