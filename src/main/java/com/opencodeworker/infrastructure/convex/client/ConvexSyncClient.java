package com.opencodeworker.infrastructure.convex.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Action;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Add;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Connect;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.JournalValue;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.ModifyQuerySet;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Mutation;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.QuerySetModification;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Remove;
import com.opencodeworker.infrastructure.convex.client.ConvexFunctions.ConnectionListener;
import com.opencodeworker.infrastructure.convex.client.ConvexFunctions.QueryListener;
import com.opencodeworker.infrastructure.convex.client.ConvexFunctions.QuerySubscription;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.ActionResponse;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.AuthError;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.FatalError;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.MutationResponse;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.QueryFailed;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.QueryModification;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.QueryUpdated;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.Transition;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.TransitionChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of Convex's WebSocket sync protocol: one session for the client's life, versioned
 * query set, Transitions applied only when they chain, mutations resolved once a Transition reaches
 * their commit timestamp and re-sent with the same request id after every reconnect.
 *
 * <p>Thread-safety: public methods may be called from any thread. All protocol state (socket,
 * versions, queries, requests, timers) is confined to one serial "convex-sync" thread; OkHttp
 * callbacks only post to it. Listener callbacks run on a separate "convex-callbacks" thread, in order
 * per subscription. Mutations and actions awaiting an answer are bounded by
 * {@link ConvexClientOptions#maxPendingRequests()}: beyond it callers get a {@code TransportError} at once.
 */
public final class ConvexSyncClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConvexSyncClient.class);
    private static final int WARN_AFTER_FAILED_ATTEMPTS = 5;
    private static final String ACTION_LOST = "Connection lost while action was in flight";

    private final OkHttpClient http;
    private final ConvexClientOptions options;
    private final ScheduledThreadPoolExecutor protocol;
    private final CallbackDispatcher callbacks = new CallbackDispatcher("convex-callbacks");
    private final String sessionId = UUID.randomUUID().toString();
    private final AtomicInteger pendingRequests = new AtomicInteger();
    private final AtomicReference<ConvexException> terminal = new AtomicReference<>();
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();

    // Everything below is confined to the protocol thread.
    private Socket socket;
    private long nextSocketId;
    private long connectionCount;
    private String lastCloseReason = "InitialConnect";
    private StateVersion remoteVersion = StateVersion.INITIAL;
    private long querySetVersion;
    private Long maxObservedTimestamp;
    private final Map<Long, RemoteQuery> queriesById = new TreeMap<>();
    private final Map<String, RemoteQuery> queriesByKey = new HashMap<>();
    private long nextQueryId;
    private final TreeMap<Long, PendingRequest> requests = new TreeMap<>();
    private long nextRequestId;
    private final TransitionChunks chunks = new TransitionChunks();
    private final Set<Long> awaitingSinceReconnect = new HashSet<>();
    private ScheduledFuture<?> inactivityTimer;
    private int failedAttempts;
    private boolean down;
    private boolean everSynced;

    /** Creates the client; call {@link #start()} to open the socket. {@code http} is not closed here. */
    public ConvexSyncClient(OkHttpClient http, ConvexClientOptions options) {
        this.http = Objects.requireNonNull(http).newBuilder().readTimeout(Duration.ZERO).callTimeout(Duration.ZERO).build();
        this.options = Objects.requireNonNull(options);
        this.protocol = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "convex-sync");
            thread.setDaemon(true);
            return thread;
        });
        this.protocol.setRemoveOnCancelPolicy(true);
        this.protocol.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Opens the socket; reconnects by itself from then on until {@link #close()} or a fatal error. */
    public void start() {
        post(this::openSocket);
    }

    /** The session id sent in every {@code Connect}; the same across reconnects. */
    public String sessionId() {
        return sessionId;
    }

    public void addConnectionListener(ConnectionListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /** Runs a mutation exactly once and blocks until a Transition reached its commit timestamp. */
    public Object mutation(String path, Map<String, ?> args) {
        return await(submit(RequestKind.MUTATION, path, args), path, options.mutationTimeout());
    }

    /** Runs an action; fails with a retryable {@code TransportError} if the socket is lost meanwhile. */
    public Object action(String path, Map<String, ?> args) {
        return await(submit(RequestKind.ACTION, path, args), path, options.mutationTimeout());
    }

    /** Subscribes to a query; identical (path, args) share one server query. */
    public QuerySubscription subscribe(String path, Map<String, ?> args, QueryListener listener) {
        Objects.requireNonNull(listener);
        throwIfTerminal();
        ObjectNode encoded = ConvexValues.encodeArgs(args);
        Subscriber subscriber = new Subscriber(callbacks.mailbox(result -> result.deliverTo(listener)));
        post(() -> addSubscriber(Objects.requireNonNull(path), encoded, subscriber));
        return () -> {
            subscriber.mailbox.close();
            post(() -> removeSubscriber(subscriber));
        };
    }

    /** Closes the socket, fails every pending call with a {@code TransportError} and stops the threads. */
    @Override
    public void close() {
        terminal.compareAndSet(null, new ConvexException.TransportError("Convex client closed", null));
        try {
            protocol.execute(() -> shutDown(1000, "client closed"));
        } catch (RejectedExecutionException alreadyClosed) {
            return;
        }
        protocol.shutdown();
        try {
            protocol.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        callbacks.close();
    }

    // ---- caller side ----

    private PendingRequest submit(RequestKind kind, String path, Map<String, ?> args) {
        throwIfTerminal();
        ObjectNode encoded = ConvexValues.encodeArgs(args);
        if (pendingRequests.incrementAndGet() > options.maxPendingRequests()) {
            pendingRequests.decrementAndGet();
            throw new ConvexException.TransportError(
                    "Too many pending Convex requests (max " + options.maxPendingRequests() + ")", null);
        }
        PendingRequest request = new PendingRequest(kind, Objects.requireNonNull(path), encoded);
        try {
            protocol.execute(() -> register(request));
        } catch (RejectedExecutionException e) {
            pendingRequests.decrementAndGet();
            throwIfTerminal();
            throw new ConvexException.TransportError("Convex client closed", e);
        }
        return request;
    }

    private Object await(PendingRequest request, String path, Duration timeout) {
        try {
            return request.future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            post(() -> forget(request));
            throw new ConvexException.TransportError(request.kind.label + " " + path + " got no answer within "
                    + timeout.toMillis() + " ms", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            post(() -> forget(request));
            throw new ConvexException.TransportError("Interrupted while waiting for " + path, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ConvexException convex) {
                throw convex;
            }
            throw new ConvexException.TransportError("Unexpected failure of " + path, e.getCause());
        }
    }

    private void throwIfTerminal() {
        ConvexException stop = terminal.get();
        if (stop instanceof ConvexException.Fatal fatal) {
            throw new ConvexException.Fatal(fatal.getMessage());
        }
        if (stop != null) {
            throw new ConvexException.TransportError(stop.getMessage(), null);
        }
    }

    private void post(Runnable task) {
        try {
            protocol.execute(() -> runGuarded(task));
        } catch (RejectedExecutionException closed) {
            LOG.debug("Convex client closed; dropped a task");
        }
    }

    private static void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("Convex sync state machine failed: {}", e.toString(), e);
        }
    }

    // ---- protocol thread: requests and queries ----

    private void register(PendingRequest request) {
        ConvexException stop = terminal.get();
        if (stop != null) {
            pendingRequests.decrementAndGet();
            request.future.completeExceptionally(stop);
            return;
        }
        if (socket != null && socket.open && socket.ws.queueSize() > options.maxOutgoingBytes()) {
            pendingRequests.decrementAndGet();
            request.future.completeExceptionally(new ConvexException.TransportError(
                    "Convex outgoing queue full (" + socket.ws.queueSize() + " bytes)", null));
            return;
        }
        request.requestId = nextRequestId++;
        requests.put(request.requestId, request);
        if (socket != null && socket.open) {
            sendRequest(request);
        }
    }

    private void forget(PendingRequest request) {
        if (requests.get(request.requestId) == request) {
            finish(request);
        }
    }

    private void finish(PendingRequest request) {
        requests.remove(request.requestId);
        awaitingSinceReconnect.remove(request.requestId);
        pendingRequests.decrementAndGet();
    }

    private boolean sendRequest(PendingRequest request) {
        request.sent = true;
        ClientMessage message = request.kind == RequestKind.MUTATION
                ? new Mutation(request.requestId, request.path, request.args)
                : new Action(request.requestId, request.path, request.args);
        return send(message);
    }

    private void addSubscriber(String path, ObjectNode args, Subscriber subscriber) {
        if (terminal.get() != null) {
            return;
        }
        String key = path + "\u0000" + ConvexValues.writeTree(args);
        RemoteQuery query = queriesByKey.get(key);
        if (query == null) {
            query = new RemoteQuery(nextQueryId++, key, path, args);
            queriesByKey.put(key, query);
            queriesById.put(query.queryId, query);
            if (socket != null && socket.open) {
                sendQuerySetChange(new Add(query.queryId, path, args, Optional.empty()));
            }
        } else if (query.lastResult != null) {
            subscriber.mailbox.offer(query.lastResult);
        }
        query.subscribers.add(subscriber);
        subscriber.query = query;
    }

    private void removeSubscriber(Subscriber subscriber) {
        RemoteQuery query = subscriber.query;
        if (query == null || !query.subscribers.remove(subscriber) || !query.subscribers.isEmpty()) {
            return;
        }
        queriesByKey.remove(query.key);
        queriesById.remove(query.queryId);
        if (socket != null && socket.open) {
            sendQuerySetChange(new Remove(query.queryId));
        }
    }

    private void sendQuerySetChange(QuerySetModification modification) {
        long base = querySetVersion;
        querySetVersion = base + 1;
        send(new ModifyQuerySet(base, querySetVersion, List.of(modification)));
    }

    // ---- protocol thread: socket lifecycle ----

    private void openSocket() {
        if (terminal.get() != null || socket != null) {
            return;
        }
        Socket next = new Socket(nextSocketId++);
        Request request = new Request.Builder().url(options.syncUrl())
                .header("Convex-Client", options.clientVersion()).build();
        socket = next;
        next.ws = http.newWebSocket(request, new Listener(next.id));
        resetInactivityTimer();
    }

    private void onOpen(Socket opened) {
        opened.open = true;
        remoteVersion = StateVersion.INITIAL;
        querySetVersion = 0;
        chunks.reset();
        LOG.debug("sync socket {} open", opened.id);
        boolean ok = send(new Connect(sessionId, connectionCount, lastCloseReason, System.currentTimeMillis(),
                Optional.ofNullable(maxObservedTimestamp)));
        connectionCount++;
        List<QuerySetModification> adds = new ArrayList<>();
        for (RemoteQuery query : queriesById.values()) {
            adds.add(new Add(query.queryId, query.path, query.args,
                    query.journalKnown ? Optional.of(new JournalValue(query.journal)) : Optional.empty()));
        }
        querySetVersion = 1;
        ok = ok && send(new ModifyQuerySet(0, 1, adds));
        awaitingSinceReconnect.clear();
        for (PendingRequest request : List.copyOf(requests.values())) {
            if (!ok) {
                return;
            }
            if (request.kind == RequestKind.MUTATION || !request.sent) {
                awaitingSinceReconnect.add(request.requestId);
                ok = sendRequest(request);
            }
        }
    }

    private void onMessage(long socketId, ServerMessage message) {
        if (socket == null || socket.id != socketId) {
            return;
        }
        resetInactivityTimer();
        if (!(message instanceof TransitionChunk) && chunks.inProgress()) {
            LOG.debug("discarding an incomplete chunked Transition");
            chunks.reset();
        }
        if (message instanceof Transition transition) {
            applyTransition(transition);
        } else if (message instanceof TransitionChunk chunk) {
            chunks.add(chunk).ifPresent(text -> {
                ServerMessage whole = SyncMessageCodec.readServer(text);
                if (!(whole instanceof Transition transition)) {
                    throw new IllegalArgumentException("chunks did not form a Transition");
                }
                applyTransition(transition);
            });
        } else if (message instanceof MutationResponse response) {
            onMutationResponse(response);
        } else if (message instanceof ActionResponse response) {
            onActionResponse(response);
        } else if (message instanceof FatalError error) {
            stopForGood("Convex FatalError: " + error.error());
        } else if (message instanceof AuthError error) {
            stopForGood("Convex AuthError: " + error.error());
        }
        checkSynced();
    }

    private void applyTransition(Transition transition) {
        if (!transition.startVersion().equals(remoteVersion)) {
            LOG.warn("Convex Transition does not chain (expected start {}, got {}); reconnecting", remoteVersion,
                    transition.startVersion());
            lose("InvalidStartVersion", true);
            return;
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
        for (PendingRequest request : List.copyOf(requests.values())) {
            if (request.committedTs != null && request.committedTs <= remoteVersion.ts()) {
                finish(request);
                request.future.complete(request.result);
            }
        }
    }

    private void onMutationResponse(MutationResponse response) {
        PendingRequest request = requests.get(response.requestId());
        if (request == null || request.kind != RequestKind.MUTATION) {
            return;
        }
        awaitingSinceReconnect.remove(request.requestId);
        if (!response.success()) {
            finish(request);
            request.future.completeExceptionally(functionError(response.result(), response.errorData()));
            return;
        }
        request.result = ConvexValues.fromJson(response.result());
        if (response.ts().isEmpty() || response.ts().get() <= remoteVersion.ts()) {
            finish(request);
            request.future.complete(request.result);
            return;
        }
        request.committedTs = response.ts().get();
        observe(request.committedTs);
    }

    private void onActionResponse(ActionResponse response) {
        PendingRequest request = requests.get(response.requestId());
        if (request == null || request.kind != RequestKind.ACTION) {
            return;
        }
        finish(request);
        if (response.success()) {
            request.future.complete(ConvexValues.fromJson(response.result()));
        } else {
            request.future.completeExceptionally(functionError(response.result(), response.errorData()));
        }
    }

    private static ConvexException.FunctionError functionError(JsonNode result, Optional<JsonNode> errorData) {
        return new ConvexException.FunctionError(result.isTextual() ? result.textValue() : result.toString(),
                errorData.map(ConvexValues::fromJson).orElse(null));
    }

    private void observe(long ts) {
        if (maxObservedTimestamp == null || ts > maxObservedTimestamp) {
            maxObservedTimestamp = ts;
        }
    }

    /** Healthy again once the new socket's query set is applied; backoff resets once older requests are answered too. */
    private void checkSynced() {
        if (socket == null || remoteVersion.querySet() < 1) {
            return;
        }
        if (down) {
            down = false;
            LOG.info("Convex connection restored (after {} attempt{})", failedAttempts, failedAttempts == 1 ? "" : "s");
            if (everSynced) {
                listeners.forEach(listener -> callbacks.execute(listener::onReconnected));
            }
        }
        everSynced = true;
        if (awaitingSinceReconnect.isEmpty()) {
            failedAttempts = 0;
        }
    }

    private void resetInactivityTimer() {
        if (inactivityTimer != null) {
            inactivityTimer.cancel(false);
        }
        Socket current = socket;
        inactivityTimer = schedule(() -> {
            if (socket == current && current != null) {
                lose("InactiveServer", true);
            }
        }, options.inactivityTimeout());
    }

    /** Schedules on the protocol thread; null once the client is shutting down. */
    private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            return protocol.schedule(() -> runGuarded(task), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            return null;
        }
    }

    private boolean send(ClientMessage message) {
        Socket current = socket;
        if (current == null || !current.open) {
            return false;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("-> {}", describe(message));
        }
        if (!current.ws.send(SyncMessageCodec.write(message))) {
            LOG.debug("sync socket {} refused a frame", current.id);
            lose("FailedToSendMessage", true);
            return false;
        }
        return true;
    }

    private static String describe(ClientMessage message) {
        if (message instanceof Mutation mutation) {
            return "Mutation requestId=" + mutation.requestId();
        }
        if (message instanceof Action action) {
            return "Action requestId=" + action.requestId();
        }
        if (message instanceof ModifyQuerySet modify) {
            return "ModifyQuerySet " + modify.baseVersion() + "->" + modify.newVersion();
        }
        return message.getClass().getSimpleName();
    }

    /** The current socket is gone: fail sent actions, schedule a reconnect, tell listeners once per outage. */
    private void lose(String reason, boolean clientSide) {
        Socket lost = socket;
        if (lost == null) {
            return;
        }
        socket = null;
        lost.ws.cancel();
        if (inactivityTimer != null) {
            inactivityTimer.cancel(false);
        }
        chunks.reset();
        lastCloseReason = reason;
        for (PendingRequest request : List.copyOf(requests.values())) {
            if (request.kind == RequestKind.ACTION && request.sent) {
                finish(request);
                request.future.completeExceptionally(new ConvexException.TransportError(ACTION_LOST, null));
            } else {
                request.sent = false;
            }
        }
        if (terminal.get() != null) {
            return;
        }
        Duration delay = options.backoff().delay(reason, clientSide, failedAttempts);
        failedAttempts++;
        if (!down) {
            down = true;
            LOG.info("Convex connection lost ({}); reconnecting in {} ms", reason, delay.toMillis());
            listeners.forEach(listener -> callbacks.execute(() -> listener.onDisconnected(reason)));
        } else if (failedAttempts == WARN_AFTER_FAILED_ATTEMPTS) {
            LOG.warn("Convex still unreachable after {} attempts ({}); retrying in {} ms", failedAttempts, reason,
                    delay.toMillis());
        }
        schedule(this::openSocket, delay);
    }

    private void stopForGood(String message) {
        ConvexException.Fatal fatal = new ConvexException.Fatal(message);
        if (!terminal.compareAndSet(null, fatal)) {
            return;
        }
        LOG.error("Convex client stopped: {}", message);
        shutDown(1000, "fatal error");
        listeners.forEach(listener -> callbacks.execute(() -> listener.onFatal(message)));
    }

    private void shutDown(int code, String reason) {
        ConvexException stop = terminal.get();
        if (socket != null) {
            socket.ws.close(code, reason);
            socket = null;
        }
        if (inactivityTimer != null) {
            inactivityTimer.cancel(false);
        }
        for (PendingRequest request : List.copyOf(requests.values())) {
            finish(request);
            request.future.completeExceptionally(stop);
        }
        for (RemoteQuery query : queriesById.values()) {
            query.subscribers.forEach(subscriber -> subscriber.mailbox.close());
        }
    }

    private void onSocketGone(long socketId, String reason, boolean clientSide) {
        if (socket != null && socket.id == socketId) {
            lose(reason, clientSide);
        }
    }

    // ---- helpers ----

    private enum RequestKind {
        MUTATION("mutation"), ACTION("action");

        private final String label;

        RequestKind(String label) {
            this.label = label;
        }
    }

    /** A mutation or action; fields other than the future are confined to the protocol thread. */
    private static final class PendingRequest {
        final RequestKind kind;
        final String path;
        final ObjectNode args;
        final CompletableFuture<Object> future = new CompletableFuture<>();
        long requestId = -1;
        boolean sent;
        Long committedTs;
        Object result;

        PendingRequest(RequestKind kind, String path, ObjectNode args) {
            this.kind = kind;
            this.path = path;
            this.args = args;
        }
    }

    /** One server-side query and its local subscribers; confined to the protocol thread. */
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

    private static final class Subscriber {
        final CallbackDispatcher.Mailbox<QueryResult> mailbox;
        RemoteQuery query;

        Subscriber(CallbackDispatcher.Mailbox<QueryResult> mailbox) {
            this.mailbox = mailbox;
        }
    }

    /** A query's value or its function error, as delivered to listeners. */
    private record QueryResult(Object value, ConvexException.FunctionError error) {
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

    private static final class Socket {
        final long id;
        WebSocket ws;
        boolean open;

        Socket(long id) {
            this.id = id;
        }
    }

    /** Parses frames on OkHttp's reader thread and hands everything to the protocol thread. */
    private final class Listener extends WebSocketListener {
        private final long socketId;

        Listener(long socketId) {
            this.socketId = socketId;
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            post(() -> {
                if (socket != null && socket.id == socketId) {
                    ConvexSyncClient.this.onOpen(socket);
                }
            });
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            ServerMessage message;
            try {
                message = SyncMessageCodec.readServer(text);
            } catch (RuntimeException e) {
                LOG.warn("Convex sent an unreadable frame ({}); reconnecting", e.getMessage());
                post(() -> onSocketGone(socketId, "InvalidMessage", true));
                return;
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("<- {}", message.getClass().getSimpleName());
            }
            post(() -> {
                try {
                    ConvexSyncClient.this.onMessage(socketId, message);
                } catch (IllegalArgumentException e) {
                    LOG.warn("Convex sent an invalid message ({}); reconnecting", e.getMessage());
                    onSocketGone(socketId, "InvalidMessage", true);
                }
            });
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            String text = reason == null || reason.isEmpty() ? "closed with code " + code : reason;
            post(() -> onSocketGone(socketId, text, false));
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            onClosing(webSocket, code, reason);
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            String text = response != null ? "HTTP " + response.code() : t.getClass().getSimpleName();
            post(() -> onSocketGone(socketId, text, false));
        }
    }
}
