package com.opencodeworker.infrastructure.convex.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * A message from client to server on the sync WebSocket. Arguments are already Convex-encoded
 * argument objects; {@link SyncMessageCodec} turns these into frames and back.
 */
public sealed interface ClientMessage {

    /** Always the first message on a socket. */
    record Connect(String sessionId, long connectionCount, String lastCloseReason, long clientTs,
            Optional<Long> maxObservedTimestamp) implements ClientMessage {
    }

    /** Adds and removes queries; {@code newVersion} follows the last one sent. */
    record ModifyQuerySet(long baseVersion, long newVersion, List<QuerySetModification> modifications)
            implements ClientMessage {
    }

    record Mutation(long requestId, String udfPath, ObjectNode args) implements ClientMessage {
    }

    record Action(long requestId, String udfPath, ObjectNode args) implements ClientMessage {
    }

    /** One change of the query set. */
    sealed interface QuerySetModification {
    }

    /** {@code journal} is empty on a first subscribe and the last journal seen (maybe null) on a re-subscribe. */
    record Add(long queryId, String udfPath, ObjectNode args, Optional<JournalValue> journal)
            implements QuerySetModification {
    }

    record Remove(long queryId) implements QuerySetModification {
    }

    /** A query journal as the server sent it: an opaque string or null. */
    record JournalValue(String text) {
    }
}
