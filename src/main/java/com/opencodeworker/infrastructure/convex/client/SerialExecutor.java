package com.opencodeworker.infrastructure.convex.client;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in the order they were posted, on the thread that posts them: a poster
 * that finds no other thread running tasks runs its own and whatever others post meanwhile; one that
 * finds a thread at it leaves its task to that thread and returns at once. So the tasks are confined
 * as on a single thread of their own (each task sees everything the tasks before it did), without a
 * thread to wake for each one. Tasks must not block. A task that throws is logged and the next one
 * runs. Thread-safe.
 */
final class SerialExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean shutdown;

    /**
     * Queues {@code task}, and runs the queue if no other thread is running it.
     *
     * @throws RejectedExecutionException after {@link #shutdown()}
     */
    @Override
    public void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException("shut down");
        }
        tasks.add(task);
        // A task that posts another only queues it: this thread's loop, already running, takes it next.
        while (!tasks.isEmpty() && running.compareAndSet(false, true)) {
            try {
                Runnable next;
                while ((next = tasks.poll()) != null) {
                    run(next);
                }
            } finally {
                running.set(false);
            }
        }
    }

    /** Refuses new tasks from now on; tasks already queued still run. */
    void shutdown() {
        shutdown = true;
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("Convex sync state machine failed: {}", e.toString(), e);
        }
    }
}
