package com.opencodeworker.infrastructure.convex.client;

/**
 * The current sync socket as {@link SyncRequests} and {@link RemoteQuerySet} see it: whether one is
 * open, how much it has queued, and a way to send on it. Used by the protocol's tasks only.
 */
interface SyncWire {

    /** Whether a socket is open now. */
    boolean isOpen();

    /** Bytes queued on the open socket and not yet written; 0 without one. */
    long queuedBytes();

    /** Sends on the open socket; false when there is none or it refused (it is then given up). */
    boolean send(ClientMessage message);
}
