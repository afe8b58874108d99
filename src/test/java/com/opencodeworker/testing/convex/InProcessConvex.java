package com.opencodeworker.testing.convex;

import com.opencodeworker.infrastructure.convex.client.ConvexException;
import com.opencodeworker.infrastructure.convex.client.ConvexFunctions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * A fake Convex deployment in this process, without sockets: it is both where fake functions are
 * registered and the {@link ConvexFunctions} a client-side adapter calls. Handlers run one at a time
 * under one lock; after each mutation (or {@link #update}) every subscribed query runs again and a
 * changed result is delivered on a separate delivery thread, coalesced to the newest snapshot per
 * subscription (so at most one delivery per subscription is ever queued). Values crossing it are
 * deep-copied and must be Convex values: an {@link Integer} argument is a bug and throws
 * {@link IllegalArgumentException}. All mutable state is guarded by {@code lock}.
 */
public final class InProcessConvex implements FakeFunctionRegistry, ConvexFunctions, AutoCloseable {
    private final Object lock = new Object();
    private final Map<String, FakeFunction> queries = new HashMap<>();
    private final Map<String, FakeFunction> mutations = new HashMap<>();
    private final List<LiveQuery> live = new ArrayList<>();
    private final Map<String, Deque<Injection>> injections = new HashMap<>();
    private final List<ConnectionListener> connectionListeners = new CopyOnWriteArrayList<>();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "in-process-convex-delivery");
        thread.setDaemon(true);
        return thread;
    });

    @Override
    public void registerQuery(String path, FakeFunction f) {
        synchronized (lock) {
            queries.put(path, f);
        }
    }

    @Override
    public void registerMutation(String path, FakeFunction f) {
        synchronized (lock) {
            mutations.put(path, f);
        }
    }

    @Override
    public Object query(String path, Map<String, Object> args) {
        synchronized (lock) {
            Map<String, Object> copied = copyArgs(args);
            injected(path, false);
            return run(queries, path, copied);
        }
    }

    @Override
    public Object mutation(String path, Map<String, Object> args) {
        synchronized (lock) {
            Map<String, Object> copied = copyArgs(args);
            boolean loseAnswer = injected(path, true);
            Object result = run(mutations, path, copied);
            refreshSubscriptions();
            if (loseAnswer) {
                throw new ConvexException.TransportError("connection lost before the answer to " + path, null);
            }
            return result;
        }
    }

    /** The same as {@link #mutation}: an answer that comes after the subscriptions ran again is one the real client may give too. */
    @Override
    public Object mutationAnswered(String path, Map<String, Object> args) {
        return mutation(path, args);
    }

    @Override
    public QuerySubscription subscribe(String path, Map<String, Object> args, QueryListener listener) {
        LiveQuery query = new LiveQuery(path, copyArgs(args), Objects.requireNonNull(listener, "listener"));
        synchronized (lock) {
            live.add(query);
            query.refresh();
        }
        return () -> {
            synchronized (lock) {
                live.remove(query);
                query.closed = true;
            }
        };
    }

    @Override
    public void addConnectionListener(ConnectionListener listener) {
        connectionListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Applies a test's direct change to the fake's state, then pushes changed query results. */
    public void update(Runnable change) {
        synchronized (lock) {
            change.run();
            refreshSubscriptions();
        }
    }

    /** Like {@link #update(Runnable)}, for a change that returns something (e.g. a new message's id). */
    public <T> T updateAndGet(Supplier<T> change) {
        synchronized (lock) {
            T result = change.get();
            refreshSubscriptions();
            return result;
        }
    }

    /** The next call of {@code path} fails with {@code error} without running. */
    public void failNext(String path, ConvexException error) {
        synchronized (lock) {
            injections.computeIfAbsent(path, key -> new ArrayDeque<>()).add(new Injection(error));
        }
    }

    /** The next mutation of {@code path} runs, but its answer is lost: the caller gets a transport error. */
    public void loseNextAnswer(String path) {
        synchronized (lock) {
            injections.computeIfAbsent(path, key -> new ArrayDeque<>()).add(new Injection(null));
        }
    }

    /** Tells the connection listeners that the socket was lost and came back (on the delivery thread). */
    public void simulateReconnect() {
        delivery.execute(() -> connectionListeners.forEach(listener -> {
            listener.onDisconnected("simulated");
            listener.onReconnected();
        }));
    }

    /** How many subscriptions are open. */
    public int subscriptionCount() {
        synchronized (lock) {
            return live.size();
        }
    }

    @Override
    public void close() {
        delivery.shutdownNow();
    }

    /** Consumes an injected failure of {@code path}: throws it, or returns true when the answer is to be lost. */
    private boolean injected(String path, boolean isMutation) {
        Deque<Injection> queued = injections.get(path);
        Injection next = queued == null ? null : queued.poll();
        if (next == null) {
            return false;
        }
        if (next.error != null) {
            throw next.error;
        }
        return isMutation;
    }

    private void refreshSubscriptions() {
        for (LiveQuery query : live) {
            query.refresh();
        }
    }

    private static Object run(Map<String, FakeFunction> table, String path, Map<String, Object> args) {
        FakeFunction function = table.get(path);
        if (function == null) {
            throw new ConvexException.FunctionError("Could not find public function for '" + path + "'", null);
        }
        try {
            return copy(function.handle(args), "result");
        } catch (FakeConvexError e) {
            throw new ConvexException.FunctionError("[Request ID: in-process] Server Error\nUncaught ConvexError: "
                    + e.data(), e.data());
        } catch (RuntimeException e) {
            throw new ConvexException.FunctionError("[Request ID: in-process] Server Error\nUncaught "
                    + e.getClass().getSimpleName() + ": " + e.getMessage(), null);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copyArgs(Map<String, Object> args) {
        return (Map<String, Object>) copy(Objects.requireNonNull(args, "args"), "args");
    }

    /** A deep, unmodifiable copy of a Convex value; anything else is a bug of the caller. */
    private static Object copy(Object value, String where) {
        if (value == null || value instanceof Boolean || value instanceof Double || value instanceof Long
                || value instanceof String) {
            return value;
        }
        if (value instanceof byte[] bytes) {
            return bytes.clone();
        }
        if (value instanceof List<?> list) {
            List<Object> copied = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                copied.add(copy(list.get(i), where + "[" + i + "]"));
            }
            return Collections.unmodifiableList(copied);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copied = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("not a Convex object key at " + where + ": " + entry.getKey());
                }
                copied.put(key, copy(entry.getValue(), where + "." + key));
            }
            return Collections.unmodifiableMap(copied);
        }
        throw new IllegalArgumentException("not a Convex value at " + where + ": " + value.getClass().getSimpleName());
    }

    private record Injection(ConvexException error) {
    }

    /** A subscribed query: its last result and whether a delivery of it is queued. Guarded by {@code lock}. */
    private final class LiveQuery {
        private final String path;
        private final Map<String, Object> args;
        private final QueryListener listener;
        private Object lastResult;
        private boolean hasResult;
        private boolean deliveryQueued;
        private boolean closed;

        LiveQuery(String path, Map<String, Object> args, QueryListener listener) {
            this.path = path;
            this.args = args;
            this.listener = listener;
        }

        void refresh() {
            Object result;
            try {
                result = run(queries, path, args);
            } catch (ConvexException.FunctionError e) {
                result = new Failure(e.getMessage(), e.data(), e);
            }
            if (hasResult && Objects.equals(result, lastResult)) {
                return;
            }
            hasResult = true;
            lastResult = result;
            if (!deliveryQueued) {
                deliveryQueued = true;
                delivery.execute(this::deliver);
            }
        }

        private void deliver() {
            Object result;
            synchronized (lock) {
                deliveryQueued = false;
                if (closed) {
                    return;
                }
                result = lastResult;
            }
            if (result instanceof Failure failure) {
                listener.onError(failure.error);
            } else {
                listener.onUpdate(result);
            }
        }
    }

    /** A failed query result; equal to another with the same message and data, so a repeat is not re-delivered. */
    private record Failure(String message, Object data, ConvexException.FunctionError error) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Failure that && message.equals(that.message) && Objects.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(message, data);
        }
    }
}
