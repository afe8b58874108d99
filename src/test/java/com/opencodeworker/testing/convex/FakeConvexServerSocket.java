package com.opencodeworker.testing.convex;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Add;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.ModifyQuerySet;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.QuerySetModification;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Remove;
import com.opencodeworker.infrastructure.convex.client.ClientMessage;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.QueryModification;
import com.opencodeworker.infrastructure.convex.client.ServerMessage;
import com.opencodeworker.infrastructure.convex.client.StateVersion;
import com.opencodeworker.infrastructure.convex.client.SyncServerCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * The server side of one sync socket of {@link FakeConvexServer}: received query-set version, last
 * sent StateVersion, the socket's queries and what was last sent for each. All state is guarded by the
 * server's lock; OkHttp callbacks take it.
 */
final class FakeConvexServerSocket extends WebSocketListener {
    private final FakeConvexServer server;
    private final Map<Long, SocketQuery> queries = new TreeMap<>();
    private final List<Long> removed = new ArrayList<>();
    private WebSocket webSocket;
    private String sessionId;
    private long receivedQuerySet;
    private StateVersion lastSent = StateVersion.INITIAL;
    private Long clientClockSkew;
    private long lastSendNanos = System.nanoTime();
    private boolean dead;

    FakeConvexServerSocket(FakeConvexServer server) {
        this.server = server;
    }

    String sessionId() {
        return sessionId;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        synchronized (server.lock) {
            this.webSocket = webSocket;
            server.socketOpened(this);
        }
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
        synchronized (server.lock) {
            if (dead) {
                return;
            }
            ClientMessage message;
            try {
                message = SyncServerCodec.readClient(text);
            } catch (RuntimeException e) {
                fail("Invalid message: " + e.getMessage());
                return;
            }
            handle(message);
        }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        synchronized (server.lock) {
            gone();
        }
        webSocket.close(1000, null);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
        synchronized (server.lock) {
            gone();
        }
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
        synchronized (server.lock) {
            gone();
        }
    }

    private void handle(ClientMessage message) {
        if (message instanceof ClientMessage.Connect connect) {
            sessionId = connect.sessionId();
            clientClockSkew = connect.clientTs() - System.currentTimeMillis();
            if (connect.maxObservedTimestamp().isPresent() && connect.maxObservedTimestamp().get() > server.currentTs()) {
                drop(1011, "InternalServerError");
            }
        } else if (message instanceof ModifyQuerySet modify) {
            modifyQuerySet(modify);
        } else if (message instanceof ClientMessage.Mutation mutation) {
            server.handleMutation(this, mutation);
        } else if (message instanceof ClientMessage.Action action) {
            server.handleAction(this, action);
        }
    }

    private void modifyQuerySet(ModifyQuerySet modify) {
        if (modify.baseVersion() != receivedQuerySet) {
            fail("Base version " + modify.baseVersion() + " passed up doesn't match the current version " + receivedQuerySet);
            return;
        }
        if (modify.newVersion() <= modify.baseVersion()) {
            fail("New version " + modify.newVersion() + " must be greater than base version " + modify.baseVersion());
            return;
        }
        for (QuerySetModification modification : modify.modifications()) {
            if (modification instanceof Add add) {
                if (queries.containsKey(add.queryId())) {
                    drop(1011, "InternalServerError");
                    return;
                }
                queries.put(add.queryId(), new SocketQuery(add.udfPath(), add.args()));
            } else if (modification instanceof Remove remove) {
                if (queries.remove(remove.queryId()) == null) {
                    drop(1011, "InternalServerError");
                    return;
                }
                removed.add(remove.queryId());
            }
        }
        receivedQuerySet = modify.newVersion();
        server.scheduleTransition(this);
    }

    /** Re-runs the socket's queries and sends a Transition with the changed ones, if anything moved. */
    void sendTransition() {
        if (dead || webSocket == null || server.silent()) {
            return;
        }
        List<QueryModification> modifications = new ArrayList<>();
        for (Map.Entry<Long, SocketQuery> entry : queries.entrySet()) {
            SocketQuery query = entry.getValue();
            FakeConvexServer.Outcome outcome = server.query(query.path)
                    .map(function -> server.run(query.path, function, query.args))
                    .orElseGet(() -> FakeConvexServer.missing(query.path));
            String fingerprint = outcome.success() ? "v" + outcome.value() : "e" + outcome.errorMessage() + outcome.errorData();
            if (fingerprint.equals(query.lastFingerprint)) {
                continue;
            }
            query.lastFingerprint = fingerprint;
            modifications.add(outcome.success()
                    ? new ServerMessage.QueryUpdated(entry.getKey(), outcome.value(), List.of(), null)
                    : new ServerMessage.QueryFailed(entry.getKey(), outcome.errorMessage(), List.of(), null,
                            Optional.ofNullable(outcome.errorData())));
        }
        removed.forEach(queryId -> modifications.add(new ServerMessage.QueryRemoved(queryId)));
        removed.clear();
        modifications.sort((a, b) -> Long.compare(a.queryId(), b.queryId()));
        StateVersion end = new StateVersion(receivedQuerySet, 0, server.currentTs());
        if (modifications.isEmpty() && end.equals(lastSent)) {
            return;
        }
        send(new ServerMessage.Transition(lastSent, end, modifications, Optional.ofNullable(clientClockSkew),
                Optional.of(System.currentTimeMillis() * 1_000_000L)));
        lastSent = end;
    }

    void sendUnchainedTransition() {
        StateVersion bogusStart = new StateVersion(lastSent.querySet() + 1000, lastSent.identity(), lastSent.ts());
        send(new ServerMessage.Transition(bogusStart, bogusStart, List.of(), Optional.empty(), Optional.empty()));
    }

    void pingIfIdle(long intervalNanos) {
        if (System.nanoTime() - lastSendNanos >= intervalNanos) {
            send(new ServerMessage.Ping());
        }
    }

    void send(ServerMessage message) {
        if (dead || webSocket == null || server.silent()) {
            return;
        }
        lastSendNanos = System.nanoTime();
        webSocket.send(SyncServerCodec.write(message));
    }

    /** Sends FatalError and closes, as the backend does for a bad request. */
    void fail(String error) {
        send(new ServerMessage.FatalError(error));
        drop(1000, "");
    }

    void drop(int code, String reason) {
        if (webSocket != null) {
            webSocket.close(code, reason);
        }
        gone();
    }

    /** Closes the socket as the server goes away (1001 "going away"). */
    void shutdown() {
        if (webSocket != null) {
            webSocket.close(1001, "ServerShutdown");
        }
        gone();
    }

    private void gone() {
        dead = true;
        server.socketGone(this);
    }

    /** A subscribed query and a fingerprint of what was last sent for it (null: never sent). */
    private static final class SocketQuery {
        final String path;
        final ObjectNode args;
        String lastFingerprint;

        SocketQuery(String path, ObjectNode args) {
            this.path = path;
            this.args = args;
        }
    }
}
