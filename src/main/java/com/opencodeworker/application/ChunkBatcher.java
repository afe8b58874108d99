package com.opencodeworker.application;

import com.opencodeworker.domain.Chunk;
import com.opencodeworker.domain.ChunkKind;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.domain.port.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one reply's deltas to {@code messages:appendChunks}: the first delta at once, then
 * coalesced, flushed when {@code interval} has passed since the last flush or {@code flushBytes}
 * are waiting; one call in flight; transient failures retried with the same sequence numbers.
 * What waits is bounded by {@code maxBuffered} characters: beyond it the live view stops growing
 * (the final record still carries the whole reply).
 *
 * <p>It has no thread of its own: a call is sent by the thread that added the delta that made it
 * due, or by the answer to the call before (on the backend adapter's thread), or by {@code timer}
 * when the interval or a retry's backoff runs out. A reply streams one delta at a time, so this
 * spares two thread wake-ups per delta (the sender's, for the delta and for its answer). The
 * {@link Signals} run on a thread of their own, since they may block. All mutable state is guarded
 * by {@code this}.
 */
public final class ChunkBatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkBatcher.class);

    /** Why the batcher stopped writing before it was finished. */
    public enum Stop { NONE, LEASE_LOST, SUPERSEDED, REJECTED }

    /** Told once when the user asked to stop, and once when the batcher must stop the reply. */
    public interface Signals {
        void cancelRequested();

        void stopped(Stop reason);
    }

    /** Batching limits. */
    public record Limits(Duration interval, int flushBytes, int maxChunkChars, int maxBuffered) {
        public static Limits standard() {
            return new Limits(Duration.ofMillis(100), 4096, 4096, 1 << 20);
        }
    }

    private final MessageId message;
    private final int attempt;
    private final Backend backend;
    private final Retry.Attempts attempts;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final Limits limits;
    private final Signals signals;
    private final BooleanSupplier giveUp;

    private final List<Chunk> pending = new ArrayList<>();
    private int pendingChars;
    /** How many of {@code pending}'s first chunks are in the call in flight (or waiting for its retry); 0: none. */
    private int inFlight;
    private int nextSequence;
    private Instant lastFlush;
    private ScheduledFuture<?> wakeUp;
    private int signalling;
    private boolean finishing;
    private boolean done;
    private boolean truncated;
    private boolean cancelSeen;
    private Stop stop = Stop.NONE;
    private int calls;

    public ChunkBatcher(MessageId message, int attempt, Backend backend, Retry retry, ScheduledExecutorService timer,
                        Clock clock, Limits limits, Signals signals, BooleanSupplier giveUp) {
        this.message = Objects.requireNonNull(message, "message");
        this.attempt = attempt;
        this.backend = Objects.requireNonNull(backend, "backend");
        this.attempts = retry.attempts("appendChunks for " + message);
        this.timer = Objects.requireNonNull(timer, "timer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.signals = Objects.requireNonNull(signals, "signals");
        this.giveUp = Objects.requireNonNull(giveUp, "giveUp");
    }

    /** Adds a delta; never blocks on the backend (it may send the call, which does not wait for its answer). */
    public void add(ChunkKind kind, String text) {
        List<Chunk> batch;
        synchronized (this) {
            if (text.isEmpty() || stop != Stop.NONE || finishing || done) {
                return;
            }
            if (pendingChars + text.length() > limits.maxBuffered()) {
                if (!truncated) {
                    truncated = true;
                    LOG.warn("Live view of {} paused: {} characters wait for the backend; the final reply will be "
                            + "complete", message, pendingChars);
                }
                return;
            }
            Chunk last = pending.size() > inFlight ? pending.get(pending.size() - 1) : null;
            if (last != null && last.kind() == kind
                    && last.text().length() + text.length() <= limits.maxChunkChars()) {
                pending.set(pending.size() - 1, new Chunk(last.sequence(), kind, last.text() + text));
            } else {
                appendSplit(kind, text);
            }
            pendingChars += text.length();
            batch = takeIfDue();
        }
        send(batch);
    }

    private void appendSplit(ChunkKind kind, String text) {
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + limits.maxChunkChars());
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end--;
            }
            pending.add(new Chunk(nextSequence++, kind, text.substring(start, end)));
            start = end;
        }
    }

    /** Flushes what waits and stops; returns once everything was sent or the batcher had to stop. */
    public void finish() throws InterruptedException {
        List<Chunk> batch;
        synchronized (this) {
            finishing = true;
            batch = takeIfDue();
        }
        send(batch);
        synchronized (this) {
            while (!done && signalling > 0 || !done && stop == Stop.NONE && !pending.isEmpty()) {
                wait();
            }
        }
    }

    /** Stops at once, dropping what waits (forced shutdown); the answer of a call in flight is ignored. */
    public synchronized void abandon() {
        done = true;
        pending.clear();
        pendingChars = 0;
        cancelWakeUp();
        notifyAll();
    }

    public synchronized Stop stopReason() {
        return stop;
    }

    /** How many appendChunks calls succeeded. */
    public synchronized int calls() {
        return calls;
    }

    /**
     * The batch to send now, marked in flight, or null: when a call is in flight, nothing waits, or
     * the interval has not passed (then the timer is set for when it will have).
     */
    private List<Chunk> takeIfDue() {
        if (inFlight > 0 || done || stop != Stop.NONE || pending.isEmpty()) {
            return null;
        }
        long waitMillis = lastFlush == null ? 0
                : Duration.between(clock.now(), lastFlush.plus(limits.interval())).toMillis();
        if (waitMillis > 0 && !finishing && pendingChars < limits.flushBytes()) {
            if (wakeUp == null) {
                wakeUp = schedule(this::onWakeUp, waitMillis);
            }
            if (wakeUp != null) {
                return null;
            }
        }
        cancelWakeUp();
        inFlight = pending.size();
        return List.copyOf(pending);
    }

    private void onWakeUp() {
        List<Chunk> batch;
        synchronized (this) {
            wakeUp = null;
            batch = takeIfDue();
        }
        send(batch);
    }

    private void send(List<Chunk> batch) {
        if (batch == null) {
            return;
        }
        CompletableFuture<Backend.AppendResult> answer;
        try {
            answer = backend.appendChunks(message, attempt, batch);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((result, error) -> {
            if (error == null) {
                answered(result);
            } else {
                failed(batch, Backend.failureOf(error));
            }
        });
    }

    private void answered(Backend.AppendResult result) {
        boolean newCancel;
        List<Chunk> next;
        synchronized (this) {
            if (done) {
                return;
            }
            attempts.succeeded();
            calls++;
            lastFlush = clock.now();
            for (int i = 0; i < inFlight; i++) {
                pendingChars -= pending.remove(0).text().length();
            }
            inFlight = 0;
            newCancel = result.cancelRequested() && !cancelSeen;
            cancelSeen |= result.cancelRequested();
            if (newCancel) {
                signalling++;
            }
            next = takeIfDue();
            notifyAll();
        }
        if (newCancel) {
            signal(signals::cancelRequested);
        }
        send(next);
    }

    private void failed(List<Chunk> batch, Throwable error) {
        BackendException failure = error instanceof BackendException backendError ? backendError
                : new BackendException("appendChunks for " + message + " failed: " + error, false);
        synchronized (this) {
            if (done) {
                return;
            }
            Optional<Duration> delay = attempts.failed(failure, giveUp);
            if (delay.isPresent()) {
                wakeUp = schedule(() -> retry(batch), delay.get().toMillis());
                if (wakeUp != null) {
                    return;
                }
            }
        }
        stopWith(failure);
    }

    /** Sends {@code batch} again, with the same sequence numbers, unless the batcher stopped meanwhile. */
    private void retry(List<Chunk> batch) {
        synchronized (this) {
            wakeUp = null;
            if (done || stop != Stop.NONE) {
                return;
            }
        }
        send(batch);
    }

    private void stopWith(BackendException e) {
        Stop reason;
        if (e instanceof BackendException.LeaseLost) {
            reason = Stop.LEASE_LOST;
        } else if (e instanceof BackendException.Superseded) {
            reason = Stop.SUPERSEDED;
        } else {
            reason = Stop.REJECTED;
            LOG.warn("appendChunks for {} failed for good: {}; the reply goes on without a live view", message,
                    e.getMessage());
        }
        synchronized (this) {
            stop = reason;
            pending.clear();
            pendingChars = 0;
            inFlight = 0;
            signalling++;
        }
        signal(() -> signals.stopped(reason));
    }

    /**
     * Runs a signal on a thread of its own (it may abort the reply over HTTP, which must not hold up the
     * backend adapter's thread); {@link #finish} returns only after it ran.
     */
    private void signal(Runnable signal) {
        Thread thread = new Thread(() -> {
            try {
                signal.run();
            } finally {
                synchronized (this) {
                    signalling--;
                    notifyAll();
                }
            }
        }, "chunks-" + message.value() + "-signal");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Runs {@code task} on the timer after {@code delayMillis}; null when the timer is shut down (the
     * worker stops): then what waits is sent at once, and a failed call is not tried again.
     */
    private ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        try {
            return timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            return null;
        }
    }

    private void cancelWakeUp() {
        if (wakeUp != null) {
            wakeUp.cancel(false);
            wakeUp = null;
        }
    }
}
