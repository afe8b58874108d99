package com.opencodeworker.infrastructure.convex.client;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs listener callbacks on one named daemon thread, never on a thread running the sync client's
 * protocol tasks (a socket reader among them). Query results go through a {@link Mailbox} per
 * subscriber that keeps only the newest undelivered snapshot, so the queue holds at most one task
 * per subscriber plus connection events; at its bound (10,000) further connection events are
 * dropped with a warning. Thread-safe.
 */
final class CallbackDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackDispatcher.class);
    private static final int MAX_QUEUED = 10_000;

    private final ThreadPoolExecutor executor;

    CallbackDispatcher(String threadName) {
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_QUEUED), runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs a callback later on the dispatcher thread; exceptions are logged, never propagated. */
    void execute(Runnable callback) {
        try {
            executor.execute(() -> runGuarded(callback));
        } catch (RejectedExecutionException e) {
            if (!executor.isShutdown()) {
                LOG.warn("Listener queue full ({} events); dropping a connection event", MAX_QUEUED);
            }
        }
    }

    /** A mailbox that delivers values to {@code consumer} in order, coalescing undelivered ones. */
    <T> Mailbox<T> mailbox(Consumer<T> consumer) {
        return new Mailbox<>(consumer);
    }

    @Override
    public void close() {
        executor.shutdown();
    }

    private static void runGuarded(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.warn("Convex listener failed: {}", e.toString());
        }
    }

    /** One subscriber's delivery slot. All mutable state is guarded by {@code this}. */
    final class Mailbox<T> {
        private final Consumer<T> consumer;
        private T pending;
        private boolean scheduled;
        private boolean closed;

        private Mailbox(Consumer<T> consumer) {
            this.consumer = consumer;
        }

        /** Queues {@code value}, replacing one that was not delivered yet. */
        void offer(T value) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                pending = value;
                if (scheduled) {
                    return;
                }
                scheduled = true;
            }
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                synchronized (this) {
                    scheduled = false;
                }
                if (!executor.isShutdown()) {
                    LOG.warn("Listener queue full; a query update is delayed until the next one");
                }
            }
        }

        /** No callback starts after this returns (one may be running on the dispatcher thread). */
        synchronized void close() {
            closed = true;
            pending = null;
        }

        private void drain() {
            while (true) {
                T value;
                synchronized (this) {
                    value = pending;
                    pending = null;
                    if (value == null || closed) {
                        scheduled = false;
                        return;
                    }
                }
                T delivered = value;
                runGuarded(() -> consumer.accept(delivered));
            }
        }
    }
}
