package com.opencodeworker.infrastructure.convex.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Add;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.JournalValue;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.ModifyQuerySet;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.QuerySetModification;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Remove;
import com.opencodeworker.infrastructure.convex.client.ConvexFunctions.QueryListener;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.QueryFailed;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.QueryModification;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.QueryUpdated;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.Transition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queries the server runs for this client: query ids (identical path and arguments share one),
 * the query-set version, the remote state version Transitions must chain from, the newest timestamp
 * seen, and the last result of each query, handed to its subscribers' mailboxes.
 *
 * <p>Threads: confined to the sync client's protocol tasks ({@link SerialExecutor}), every field and
 * method; subscribers read results from their {@link CallbackDispatcher.Mailbox} on the callback thread.
 */
final class RemoteQuerySet {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteQuerySet.class);

    private final SyncWire wire;
    private final Map<Long, RemoteQuery> queriesById = new TreeMap<>();
    private final Map<String, RemoteQuery> queriesByKey = new HashMap<>();
    private long nextQueryId;
    private long querySetVersion;
    private StateVersion remoteVersion = StateVersion.INITIAL;
    private Long maxObservedTimestamp;

    RemoteQuerySet(SyncWire wire) {
        this.wire = Objects.requireNonNull(wire);
    }

    /** Adds a subscriber, sharing the server query of the same path and arguments; it gets the last result at once. */
    void add(String path, ObjectNode args, Subscriber subscriber) {
        String key = path + "\u0000" + ConvexValues.writeTree(args);
        RemoteQuery query = queriesByKey.get(key);
        if (query == null) {
            query = new RemoteQuery(nextQueryId++, key, path, args);
            queriesByKey.put(key, query);
            queriesById.put(query.queryId, query);
            if (wire.isOpen()) {
                sendChange(new Add(query.queryId, path, args, Optional.empty()));
            }
        } else if (query.lastResult != null) {
            subscriber.mailbox.offer(query.lastResult);
        }
        query.subscribers.add(subscriber);
        subscriber.query = query;
    }

    /** Removes a subscriber; the server query goes with its last subscriber. */
    void remove(Subscriber subscriber) {
        RemoteQuery query = subscriber.query;
        if (query == null || !query.subscribers.remove(subscriber) || !query.subscribers.isEmpty()) {
            return;
        }
        queriesByKey.remove(query.key);
        queriesById.remove(query.queryId);
        if (wire.isOpen()) {
            sendChange(new Remove(query.queryId));
        }
    }

    /** A new socket starts from the initial versions on both sides. */
    void reset() {
        remoteVersion = StateVersion.INITIAL;
        querySetVersion = 0;
    }

    /** Sends the whole query set as version 1, with each query's journal when known; false when the send failed. */
    boolean resubscribe() {
        List<QuerySetModification> adds = new ArrayList<>();
        for (RemoteQuery query : queriesById.values()) {
            adds.add(new Add(query.queryId, query.path, query.args,
                    query.journalKnown ? Optional.of(new JournalValue(query.journal)) : Optional.empty()));
        }
        querySetVersion = 1;
        return wire.send(new ModifyQuerySet(0, 1, adds));
    }

    /**
     * Applies a Transition: each query's new result goes to its subscribers.
     *
     * @return false, changing nothing, when it does not start at the current remote version
     */
    boolean apply(Transition transition) {
        if (!transition.startVersion().equals(remoteVersion)) {
            LOG.warn("Convex Transition does not chain (expected start {}, got {}); reconnecting", remoteVersion,
                    transition.startVersion());
            return false;
        }
        for (QueryModification modification : transition.modifications()) {
            RemoteQuery query = queriesById.get(modification.queryId());
            if (query == null) {
                continue;
            }
            if (modification instanceof QueryUpdated updated) {
                query.recordJournal(updated.journal());
                query.publish(QueryResult.value(ConvexValues.fromJson(updated.value())));
            } else if (modification instanceof QueryFailed failed) {
                query.recordJournal(failed.journal());
                Object data = failed.errorData().map(ConvexValues::fromJson).orElse(null);
                query.publish(QueryResult.error(new ConvexException.FunctionError(failed.errorMessage(), data)));
            }
        }
        remoteVersion = transition.endVersion();
        observe(remoteVersion.ts());
        return true;
    }

    /** The database timestamp the server's state has reached on this socket. */
    long remoteTs() {
        return remoteVersion.ts();
    }

    /** Whether the server applied this socket's query set (the socket is in sync). */
    boolean inSync() {
        return remoteVersion.querySet() >= 1;
    }

    /** Remembers a timestamp seen from the server; the newest is sent on the next Connect. */
    void observe(long ts) {
        if (maxObservedTimestamp == null || ts > maxObservedTimestamp) {
            maxObservedTimestamp = ts;
        }
    }

    Optional<Long> maxObservedTimestamp() {
        return Optional.ofNullable(maxObservedTimestamp);
    }

    /** The client stopped: no subscriber gets anything more. */
    void closeAll() {
        for (RemoteQuery query : queriesById.values()) {
            query.subscribers.forEach(subscriber -> subscriber.mailbox.close());
        }
    }

    private void sendChange(QuerySetModification modification) {
        long base = querySetVersion;
        querySetVersion = base + 1;
        wire.send(new ModifyQuerySet(base, querySetVersion, List.of(modification)));
    }

    /** One server-side query and its local subscribers. */
    private static final class RemoteQuery {
        final long queryId;
        final String key;
        final String path;
        final ObjectNode args;
        final Set<Subscriber> subscribers = new LinkedHashSet<>();
        QueryResult lastResult;
        boolean journalKnown;
        String journal;

        RemoteQuery(long queryId, String key, String path, ObjectNode args) {
            this.queryId = queryId;
            this.key = key;
            this.path = path;
            this.args = args;
        }

        void recordJournal(String value) {
            journalKnown = true;
            journal = value;
        }

        void publish(QueryResult result) {
            lastResult = result;
            subscribers.forEach(subscriber -> subscriber.mailbox.offer(result));
        }
    }

    /** One subscription: its mailbox on the callback thread, and its query once added. */
    static final class Subscriber {
        final CallbackDispatcher.Mailbox<QueryResult> mailbox;
        private RemoteQuery query;

        Subscriber(CallbackDispatcher.Mailbox<QueryResult> mailbox) {
            this.mailbox = mailbox;
        }
    }

    /** A query's value or its function error, as delivered to listeners. */
    record QueryResult(Object value, ConvexException.FunctionError error) {
        static QueryResult value(Object value) {
            return new QueryResult(value, null);
        }

        static QueryResult error(ConvexException.FunctionError error) {
            return new QueryResult(null, error);
        }

        void deliverTo(QueryListener listener) {
            if (error != null) {
                listener.onError(error);
            } else {
                listener.onUpdate(value);
            }
        }
    }
}
