package com.opencodeworker.infrastructure.convex.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Action;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Connect;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.ModifyQuerySet;
import com.opencodeworker.infrastructure.convex.client.ClientMessage.Mutation;
import com.opencodeworker.infrastructure.convex.client.ConvexFunctions.ConnectionListener;
import com.opencodeworker.infrastructure.convex.client.ConvexFunctions.QueryListener;
import com.opencodeworker.infrastructure.convex.client.ConvexFunctions.QuerySubscription;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.ActionResponse;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.AuthError;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.FatalError;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.MutationResponse;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.Transition;
import com.opencodeworker.infrastructure.convex.client.ServerMessage.TransitionChunk;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of Convex's WebSocket sync protocol, and the socket's lifecycle: one session for the
 * client's life, connect and reconnect with backoff, the inactivity timeout, Connect and the replay of
 * the query set ({@link RemoteQuerySet}) and of unanswered mutations ({@link SyncRequests}) on every
 * new socket, and the stop for good on a fatal error.
 *
 * <p>Threads: public methods may be called from any thread. Everything that touches the protocol's
 * state (every field below the line marked so, and the state of {@link RemoteQuerySet} and
 * {@link SyncRequests}) is a task of one {@link SerialExecutor}: tasks run one at a time, in order,
 * on the thread that posted them (a caller sending a mutation, OkHttp's reader with a parsed frame,
 * the "convex-timer" thread) unless another thread is running tasks already, which then runs it too.
 * So a frame or a mutation crosses no extra thread on its way. {@code terminal} and {@code listeners}
 * are thread-safe and read anywhere. Listener callbacks run on a separate "convex-callbacks" thread,
 * in order per subscription. Mutations and actions awaiting an answer are bounded by
 * {@link ConvexClientOptions#maxPendingRequests()}: beyond it callers get a {@code TransportError} at
 * once.
 */
public final class ConvexSyncClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConvexSyncClient.class);
    private static final int WARN_AFTER_FAILED_ATTEMPTS = 5;

    private final OkHttpClient http;
    private final ConvexClientOptions options;
    private final SerialExecutor protocol = new SerialExecutor();
    private final ScheduledThreadPoolExecutor timers;
    private final CallbackDispatcher callbacks = new CallbackDispatcher("convex-callbacks");
    private final String sessionId = UUID.randomUUID().toString();
    private final AtomicReference<ConvexException> terminal = new AtomicReference<>();
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final SyncWire wire = new CurrentSocket();
    private final SyncRequests requests;

    // Everything below is confined to the protocol's tasks.
    private final RemoteQuerySet queries = new RemoteQuerySet(wire);
    private final TransitionChunks chunks = new TransitionChunks();
    private Socket socket;
    private long nextSocketId;
    private long connectionCount;
    private String lastCloseReason = "InitialConnect";
    private ScheduledFuture<?> inactivityTimer;
    private long lastHeardNanos;
    private int failedAttempts;
    private boolean down;
    private boolean everSynced;

    /** Creates the client; call {@link #start()} to open the socket. {@code http} is not closed here. */
    public ConvexSyncClient(OkHttpClient http, ConvexClientOptions options) {
        // No read or write timeout on the socket, as the official client: the inactivity timeout notices a
        // silent server, the server drops a client that answers no pings, and a per-read or per-write timeout
        // would wake Okio's watchdog thread for every frame.
        this.http = Objects.requireNonNull(http).newBuilder().readTimeout(Duration.ZERO).writeTimeout(Duration.ZERO)
                .callTimeout(Duration.ZERO).build();
        this.options = Objects.requireNonNull(options);
        this.requests = new SyncRequests(wire, options.maxPendingRequests(), options.maxOutgoingBytes());
        this.timers = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "convex-timer");
            thread.setDaemon(true);
            return thread;
        });
        this.timers.setRemoveOnCancelPolicy(true);
        this.timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
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
        return await(submit(SyncRequests.Kind.MUTATION, path, args), path, options.mutationTimeout());
    }

    /** Runs a mutation exactly once and blocks until its answer arrives, not waiting for a Transition. */
    public Object mutationAnswered(String path, Map<String, ?> args) {
        return await(submit(SyncRequests.Kind.MUTATION_ANSWERED, path, args), path, options.mutationTimeout());
    }

    /**
     * Runs a mutation exactly once without waiting: the future completes with its answer (not waiting
     * for a Transition), or exceptionally with the {@link ConvexException} {@link #mutationAnswered}
     * would throw, a {@code TransportError} after the mutation timeout included. It completes on the
     * thread that read the answer (or the timer's): what follows must be short and must not block.
     */
    public CompletableFuture<Object> mutationAnsweredAsync(String path, Map<String, ?> args) {
        SyncRequests.PendingRequest request;
        try {
            request = submit(SyncRequests.Kind.MUTATION_ANSWERED, path, args);
        } catch (ConvexException e) {
            return CompletableFuture.failedFuture(e);
        }
        Duration timeout = options.mutationTimeout();
        try {
            // Cancelled when the answer comes. With a mutation timeout no shorter than the inactivity timeout
            // (both 60 s by default) it is never the timer's next task, so scheduling it wakes no thread.
            ScheduledFuture<?> timer = timers.schedule(() -> {
                if (request.future.completeExceptionally(noAnswer(request, path, timeout))) {
                    post(() -> requests.forget(request));
                }
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
            request.future.whenComplete((answer, error) -> timer.cancel(false));
        } catch (RejectedExecutionException closing) {
            // The client is closing: close() fails every pending request.
        }
        return request.future.copy();
    }

    private static ConvexException.TransportError noAnswer(SyncRequests.PendingRequest request, String path,
                                                           Duration timeout) {
        return new ConvexException.TransportError(request.kind.label + " " + path + " got no answer within "
                + timeout.toMillis() + " ms", null);
    }

    /** Runs an action; fails with a retryable {@code TransportError} if the socket is lost meanwhile. */
    public Object action(String path, Map<String, ?> args) {
        return await(submit(SyncRequests.Kind.ACTION, path, args), path, options.mutationTimeout());
    }

    /** Subscribes to a query; identical (path, args) share one server query. */
    public QuerySubscription subscribe(String path, Map<String, ?> args, QueryListener listener) {
        Objects.requireNonNull(listener);
        throwIfTerminal();
        ObjectNode encoded = ConvexValues.encodeArgs(args);
        RemoteQuerySet.Subscriber subscriber = new RemoteQuerySet.Subscriber(
                callbacks.mailbox(result -> result.deliverTo(listener)));
        post(() -> {
            if (terminal.get() == null) {
                queries.add(Objects.requireNonNull(path), encoded, subscriber);
            }
        });
        return () -> {
            subscriber.mailbox.close();
            post(() -> queries.remove(subscriber));
        };
    }

    /** Closes the socket, fails every pending call with a {@code TransportError} and stops the threads. */
    @Override
    public void close() {
        terminal.compareAndSet(null, new ConvexException.TransportError("Convex client closed", null));
        CountDownLatch shutDown = new CountDownLatch(1);
        try {
            protocol.execute(() -> {
                shutDown(1000, "client closed");
                shutDown.countDown();
            });
        } catch (RejectedExecutionException alreadyClosed) {
            return;
        }
        protocol.shutdown();
        try {
            // Runs here, unless another thread is running the protocol's tasks: then it waits for that one.
            shutDown.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timers.shutdownNow();
        callbacks.close();
    }

    // ---- caller side ----

    private SyncRequests.PendingRequest submit(SyncRequests.Kind kind, String path, Map<String, ?> args) {
        throwIfTerminal();
        ObjectNode encoded = ConvexValues.encodeArgs(args);
        SyncRequests.PendingRequest request = requests.reserve(kind, path, encoded);
        try {
            protocol.execute(() -> requests.register(request, terminal.get()));
        } catch (RejectedExecutionException e) {
            requests.cancelReservation();
            throwIfTerminal();
            throw new ConvexException.TransportError("Convex client closed", e);
        }
        return request;
    }

    private Object await(SyncRequests.PendingRequest request, String path, Duration timeout) {
        try {
            return request.future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            post(() -> requests.forget(request));
            throw noAnswer(request, path, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            post(() -> requests.forget(request));
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
            protocol.execute(task);
        } catch (RejectedExecutionException closed) {
            LOG.debug("Convex client closed; dropped a task");
        }
    }

    // ---- the protocol's tasks: socket lifecycle ----

    private void openSocket() {
        if (terminal.get() != null || socket != null) {
            return;
        }
        Socket next = new Socket(nextSocketId++);
        Request request = new Request.Builder().url(options.syncUrl())
                .header("Convex-Client", options.clientVersion()).build();
        socket = next;
        next.ws = http.newWebSocket(request, new Listener(next.id));
        armInactivityTimer(next);
    }

    private void onOpen(Socket opened) {
        opened.open = true;
        queries.reset();
        chunks.reset();
        LOG.debug("sync socket {} open", opened.id);
        boolean ok = wire.send(new Connect(sessionId, connectionCount, lastCloseReason, System.currentTimeMillis(),
                queries.maxObservedTimestamp()));
        connectionCount++;
        ok = ok && queries.resubscribe();
        requests.replay(ok);
    }

    private void onMessage(long socketId, ServerMessage message) {
        if (socket == null || socket.id != socketId) {
            return;
        }
        lastHeardNanos = System.nanoTime();
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
            requests.onMutationResponse(response, queries.remoteTs()).ifPresent(queries::observe);
        } else if (message instanceof ActionResponse response) {
            requests.onActionResponse(response);
        } else if (message instanceof FatalError error) {
            stopForGood("Convex FatalError: " + error.error());
        } else if (message instanceof AuthError error) {
            stopForGood("Convex AuthError: " + error.error());
        }
        checkSynced();
    }

    private void applyTransition(Transition transition) {
        if (!queries.apply(transition)) {
            lose("InvalidStartVersion", true);
            return;
        }
        requests.completeCommitted(queries.remoteTs());
    }

    /** Healthy again once the new socket's query set is applied; backoff resets once older requests are answered too. */
    private void checkSynced() {
        if (socket == null || !queries.inSync()) {
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
        if (requests.allAnsweredSinceReconnect()) {
            failedAttempts = 0;
        }
    }

    /**
     * Loses {@code opened} once nothing came from the server for the inactivity timeout. A frame only
     * notes its time: the timer, set once per socket, looks when it fires and sets itself again for the
     * time left (a timer re-armed per frame would wake the timer thread for every frame).
     */
    private void armInactivityTimer(Socket opened) {
        if (inactivityTimer != null) {
            inactivityTimer.cancel(false);
        }
        lastHeardNanos = System.nanoTime();
        inactivityTimer = schedule(() -> checkInactivity(opened), options.inactivityTimeout());
    }

    private void checkInactivity(Socket watched) {
        if (socket != watched) {
            return;
        }
        long left = options.inactivityTimeout().toNanos() - (System.nanoTime() - lastHeardNanos);
        if (left <= 0) {
            lose("InactiveServer", true);
        } else {
            inactivityTimer = schedule(() -> checkInactivity(watched), Duration.ofNanos(left));
        }
    }

    /** Posts {@code task} to the protocol's tasks after {@code delay}; null once the client is shutting down. */
    private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            return timers.schedule(() -> post(task), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            return null;
        }
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
        requests.onSocketLost();
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
        requests.failAll(stop);
        queries.closeAll();
    }

    private void onSocketGone(long socketId, String reason, boolean clientSide) {
        if (socket != null && socket.id == socketId) {
            lose(reason, clientSide);
        }
    }

    /** The wire {@link SyncRequests} and {@link RemoteQuerySet} send on: whatever socket is current. */
    private final class CurrentSocket implements SyncWire {
        @Override
        public boolean isOpen() {
            return socket != null && socket.open;
        }

        @Override
        public long queuedBytes() {
            return isOpen() ? socket.ws.queueSize() : 0;
        }

        @Override
        public boolean send(ClientMessage message) {
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
    }

    private static final class Socket {
        final long id;
        WebSocket ws;
        boolean open;

        Socket(long id) {
            this.id = id;
        }
    }

    /** Parses frames on OkHttp's reader thread and posts them to the protocol's tasks. */
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
