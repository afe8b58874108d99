package com.opencodeworker.infrastructure.convex.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Action;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Mutation;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.ActionResponse;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.MutationResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The mutations and actions awaiting their answer: request ids, sending, the replay of mutations on
 * every new socket, and resolving a mutation once a Transition reached its commit timestamp.
 *
 * <p>Threads: {@link #reserve} and {@link #cancelReservation} may be called from any thread (the bound
 * on pending requests is an atomic counter); every other method, and every field but {@code pending},
 * belongs to the sync client's protocol tasks ({@link SerialExecutor}). A request's future is completed
 * by one of those tasks and read by its caller.
 */
final class SyncRequests {
    private static final String ACTION_LOST = "Connection lost while action was in flight";

    private final SyncWire wire;
    private final int maxPending;
    private final long maxOutgoingBytes;
    private final AtomicInteger pending = new AtomicInteger();

    // Protocol thread only.
    private final TreeMap<Long, PendingRequest> requests = new TreeMap<>();
    private final Set<Long> awaitingSinceReconnect = new HashSet<>();
    private long nextRequestId;

    SyncRequests(SyncWire wire, int maxPending, long maxOutgoingBytes) {
        this.wire = Objects.requireNonNull(wire);
        this.maxPending = maxPending;
        this.maxOutgoingBytes = maxOutgoingBytes;
    }

    enum Kind {
        /** A mutation resolved once a Transition reached its commit (its write is visible to subscribers). */
        MUTATION("mutation", true, true),
        /** A mutation resolved on its answer (for a caller that reads nothing of its write back). */
        MUTATION_ANSWERED("mutation", true, false),
        ACTION("action", false, false);

        final String label;
        final boolean mutation;
        final boolean awaitsTransition;

        Kind(String label, boolean mutation, boolean awaitsTransition) {
            this.label = label;
            this.mutation = mutation;
            this.awaitsTransition = awaitsTransition;
        }
    }

    /** A mutation or action; fields other than the future are confined to the protocol's tasks. */
    static final class PendingRequest {
        final Kind kind;
        final String path;
        final ObjectNode args;
        final CompletableFuture<Object> future = new CompletableFuture<>();
        long requestId = -1;
        boolean sent;
        Long committedTs;
        Object result;

        PendingRequest(Kind kind, String path, ObjectNode args) {
            this.kind = kind;
            this.path = path;
            this.args = args;
        }
    }

    /**
     * A new request, counted against the bound; any thread.
     *
     * @throws ConvexException.TransportError when {@code maxPending} requests await an answer already
     */
    PendingRequest reserve(Kind kind, String path, ObjectNode args) {
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            throw new ConvexException.TransportError("Too many pending Convex requests (max " + maxPending + ")", null);
        }
        return new PendingRequest(kind, Objects.requireNonNull(path), args);
    }

    /** A reserved request that never reached {@link #register}; any thread. */
    void cancelReservation() {
        pending.decrementAndGet();
    }

    /** Gives the request its id and sends it if a socket is open; fails it at once when {@code stop} is set. */
    void register(PendingRequest request, ConvexException stop) {
        if (stop != null) {
            pending.decrementAndGet();
            request.future.completeExceptionally(stop);
            return;
        }
        if (wire.isOpen() && wire.queuedBytes() > maxOutgoingBytes) {
            pending.decrementAndGet();
            request.future.completeExceptionally(new ConvexException.TransportError(
                    "Convex outgoing queue full (" + wire.queuedBytes() + " bytes)", null));
            return;
        }
        request.requestId = nextRequestId++;
        requests.put(request.requestId, request);
        if (wire.isOpen()) {
            send(request);
        }
    }

    /** The caller stopped waiting (timeout, interrupt): the request is dropped, unanswered. */
    void forget(PendingRequest request) {
        if (requests.get(request.requestId) == request) {
            finish(request);
        }
    }

    /**
     * On a new socket, after Connect and the query set: sends every mutation again under its request id
     * (the server answers a repeated id once) and every action not sent yet.
     *
     * @param connected whether Connect and the query set were sent; nothing is replayed when not
     * @return false when nothing was replayed or a send failed (the socket is gone again)
     */
    boolean replay(boolean connected) {
        awaitingSinceReconnect.clear();
        if (!connected) {
            return false;
        }
        for (PendingRequest request : List.copyOf(requests.values())) {
            if (request.kind.mutation || !request.sent) {
                awaitingSinceReconnect.add(request.requestId);
                if (!send(request)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * A mutation's answer: a failure, a result already visible at {@code remoteTs} or one of a
     * {@link Kind#MUTATION_ANSWERED} completes it; else it waits for a Transition to reach its commit
     * timestamp. A success's commit timestamp is returned to be observed.
     */
    OptionalLong onMutationResponse(MutationResponse response, long remoteTs) {
        PendingRequest request = requests.get(response.requestId());
        if (request == null || !request.kind.mutation) {
            return OptionalLong.empty();
        }
        awaitingSinceReconnect.remove(request.requestId);
        if (!response.success()) {
            finish(request);
            request.future.completeExceptionally(functionError(response.result(), response.errorData()));
            return OptionalLong.empty();
        }
        request.result = ConvexValues.fromJson(response.result());
        if (response.ts().isEmpty() || response.ts().get() <= remoteTs || !request.kind.awaitsTransition) {
            finish(request);
            request.future.complete(request.result);
            return response.ts().map(OptionalLong::of).orElse(OptionalLong.empty());
        }
        request.committedTs = response.ts().get();
        return OptionalLong.of(request.committedTs);
    }

    void onActionResponse(ActionResponse response) {
        PendingRequest request = requests.get(response.requestId());
        if (request == null || request.kind != Kind.ACTION) {
            return;
        }
        finish(request);
        if (response.success()) {
            request.future.complete(ConvexValues.fromJson(response.result()));
        } else {
            request.future.completeExceptionally(functionError(response.result(), response.errorData()));
        }
    }

    /** A Transition reached {@code remoteTs}: mutations committed at or before it are done. */
    void completeCommitted(long remoteTs) {
        for (PendingRequest request : List.copyOf(requests.values())) {
            if (request.committedTs != null && request.committedTs <= remoteTs) {
                finish(request);
                request.future.complete(request.result);
            }
        }
    }

    /** The socket is gone: a sent action may or may not have run, so it fails; everything else waits to be sent again. */
    void onSocketLost() {
        for (PendingRequest request : List.copyOf(requests.values())) {
            if (request.kind == Kind.ACTION && request.sent) {
                finish(request);
                request.future.completeExceptionally(new ConvexException.TransportError(ACTION_LOST, null));
            } else {
                request.sent = false;
            }
        }
    }

    /** The client stopped: every request fails with {@code stop}. */
    void failAll(ConvexException stop) {
        for (PendingRequest request : List.copyOf(requests.values())) {
            finish(request);
            request.future.completeExceptionally(stop);
        }
    }

    /** Whether every request replayed on the current socket has been answered. */
    boolean allAnsweredSinceReconnect() {
        return awaitingSinceReconnect.isEmpty();
    }

    private boolean send(PendingRequest request) {
        request.sent = true;
        ClientMessage message = request.kind.mutation
                ? new Mutation(request.requestId, request.path, request.args)
                : new Action(request.requestId, request.path, request.args);
        return wire.send(message);
    }

    private void finish(PendingRequest request) {
        requests.remove(request.requestId);
        awaitingSinceReconnect.remove(request.requestId);
        pending.decrementAndGet();
    }

    private static ConvexException.FunctionError functionError(JsonNode result, Optional<JsonNode> errorData) {
        return new ConvexException.FunctionError(result.isTextual() ? result.textValue() : result.toString(),
                errorData.map(ConvexValues::fromJson).orElse(null));
    }
}
