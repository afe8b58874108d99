package com.opencodeworker.infrastructure.convex.client;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import okhttp3.OkHttpClient;

/**
 * The Convex client of the worker: one-shot queries over HTTP, mutations, actions and subscriptions
 * over the sync WebSocket, which it keeps connected until {@link #close()}. Thread-safe; see
 * {@link ConvexSyncClient} for the threading model.
 */
public final class ConvexClient implements ConvexFunctions, AutoCloseable {
    private final OkHttpClient http;
    private final ConvexHttpClient httpFunctions;
    private final ConvexSyncClient sync;

    private ConvexClient(ConvexClientOptions options) {
        this.http = new OkHttpClient.Builder().callTimeout(options.httpTimeout()).build();
        this.httpFunctions = new ConvexHttpClient(http, options.deploymentUrl(), options.clientVersion());
        this.sync = new ConvexSyncClient(http, options);
    }

    /** Creates a client and starts connecting the sync socket in the background. */
    public static ConvexClient connect(ConvexClientOptions options) {
        ConvexClient client = new ConvexClient(Objects.requireNonNull(options));
        client.sync.start();
        return client;
    }

    @Override
    public Object query(String path, Map<String, Object> args) {
        return httpFunctions.query(path, args);
    }

    @Override
    public Object mutation(String path, Map<String, Object> args) {
        return sync.mutation(path, args);
    }

    @Override
    public Object mutationAnswered(String path, Map<String, Object> args) {
        return sync.mutationAnswered(path, args);
    }

    @Override
    public CompletableFuture<Object> mutationAnsweredAsync(String path, Map<String, Object> args) {
        return sync.mutationAnsweredAsync(path, args);
    }

    /** Runs an action over the sync socket; an action in flight when the socket drops fails retryably. */
    public Object action(String path, Map<String, Object> args) {
        return sync.action(path, args);
    }

    @Override
    public QuerySubscription subscribe(String path, Map<String, Object> args, QueryListener listener) {
        return sync.subscribe(path, args, listener);
    }

    @Override
    public void addConnectionListener(ConnectionListener listener) {
        sync.addConnectionListener(listener);
    }

    /** The session id of the sync connection (the same across reconnects). */
    public String sessionId() {
        return sync.sessionId();
    }

    @Override
    public void close() {
        sync.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
