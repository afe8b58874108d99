package com.opencodeworker.infrastructure.convex.client;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Calls Convex functions. Values are plain Java: {@code null}, {@link Boolean}, {@link Double}
 * (a bare JSON number), {@link Long} (an int64), {@link String}, {@code byte[]}, {@link java.util.List}
 * and {@link Map} with String keys. Implemented by {@code ConvexClient}; thread-safe.
 */
public interface ConvexFunctions {

    /** Runs a query once (HTTP) and returns its value. */
    Object query(String path, Map<String, Object> args);

    /**
     * Runs a mutation over the sync WebSocket, exactly once per call even across reconnects, and
     * returns once a Transition has reached its commit timestamp (so subscribers already see it).
     */
    Object mutation(String path, Map<String, Object> args);

    /**
     * Runs a mutation like {@link #mutation}, exactly once, but returns as soon as the server's answer
     * arrives, without waiting for a Transition to reach its commit: for a caller that reads nothing of
     * its write back through subscriptions. It saves the time the server takes to bring every
     * subscription up to date after the commit.
     */
    Object mutationAnswered(String path, Map<String, Object> args);

    /**
     * {@link #mutationAnswered} without waiting: the future completes with the answer, or exceptionally
     * with the {@link ConvexException} the blocking call would throw. The client's own implementation
     * completes it on the thread that read the answer, so what follows must be short and must not block;
     * this default, for clients that answer at once, runs the blocking call.
     */
    default CompletableFuture<Object> mutationAnsweredAsync(String path, Map<String, Object> args) {
        try {
            return CompletableFuture.completedFuture(mutationAnswered(path, args));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Subscribes to a query; the listener gets every new value as a whole snapshot. */
    QuerySubscription subscribe(String path, Map<String, Object> args, QueryListener listener);

    /** Adds a listener for the live connection's state changes. */
    void addConnectionListener(ConnectionListener listener);

    /** Receives a subscribed query's results; called on a client thread, never on the socket reader. */
    interface QueryListener {
        void onUpdate(Object value);

        void onError(ConvexException.FunctionError error);
    }

    /** An active subscription; closing it removes the query. */
    interface QuerySubscription extends AutoCloseable {
        @Override
        void close();
    }

    /** State changes of the sync connection. */
    interface ConnectionListener {
        /** The socket is open again after it was lost; subscriptions were re-sent. */
        void onReconnected();

        /** The socket was lost; the client will reconnect by itself. */
        default void onDisconnected(String reason) {
        }

        /** The server sent FatalError or AuthError: the client stopped for good and every call now fails. */
        default void onFatal(String message) {
        }
    }
}
