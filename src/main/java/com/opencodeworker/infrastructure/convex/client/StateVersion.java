package com.opencodeworker.infrastructure.convex.client;

/**
 * The sync protocol's state version: applied query-set version, identity version and the database
 * timestamp (u64 nanoseconds) that a Transition moves from and to.
 */
public record StateVersion(long querySet, long identity, long ts) {
    /** Where both sides start on every new socket. */
    public static final StateVersion INITIAL = new StateVersion(0, 0, 0);
}
