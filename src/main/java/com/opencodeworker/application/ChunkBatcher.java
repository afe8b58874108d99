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
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one reply's deltas to {@code messages:appendChunks}: the first delta at once, then
 * coalesced, flushed when {@code interval} has passed since the last flush or {@code flushBytes}
 * are waiting; one call in flight; transient failures retried with the same sequence numbers.
 * What waits is bounded by {@code maxBuffered} characters: beyond it the live view stops growing
 * (the final record still carries the whole reply). All mutable state is guarded by {@code this}.
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
    private final Retry retry;
    private final Clock clock;
    private final Limits limits;
    private final Signals signals;
    private final BooleanSupplier giveUp;
    private final Thread sender;

    private final List<Chunk> pending = new ArrayList<>();
    private int pendingChars;
    private int inFlight;
    private int nextSequence;
    private Instant lastFlush;
    private boolean finishing;
    private boolean done;
    private boolean truncated;
    private boolean cancelSeen;
    private Stop stop = Stop.NONE;
    private int calls;

    public ChunkBatcher(MessageId message, int attempt, Backend backend, Retry retry, Clock clock, Limits limits,
                        Signals signals, BooleanSupplier giveUp) {
        this.message = Objects.requireNonNull(message, "message");
        this.attempt = attempt;
        this.backend = Objects.requireNonNull(backend, "backend");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.signals = Objects.requireNonNull(signals, "signals");
        this.giveUp = Objects.requireNonNull(giveUp, "giveUp");
        this.sender = new Thread(this::sendLoop, "chunks-" + message.value());
        this.sender.setDaemon(true);
        this.sender.start();
    }

    /** Adds a delta; never blocks on the backend. */
    public synchronized void add(ChunkKind kind, String text) {
        if (text.isEmpty() || stop != Stop.NONE || finishing) {
            return;
        }
        if (pendingChars + text.length() > limits.maxBuffered()) {
            if (!truncated) {
                truncated = true;
                LOG.warn("Live view of {} paused: {} characters wait for the backend; the final reply will be complete",
                        message, pendingChars);
            }
            return;
        }
        Chunk last = pending.size() > inFlight ? pending.get(pending.size() - 1) : null;
        if (last != null && last.kind() == kind && last.text().length() + text.length() <= limits.maxChunkChars()) {
            pending.set(pending.size() - 1, new Chunk(last.sequence(), kind, last.text() + text));
        } else {
            appendSplit(kind, text);
        }
        pendingChars += text.length();
        notifyAll();
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
        synchronized (this) {
            finishing = true;
            notifyAll();
        }
        sender.join();
    }

    /** Stops at once, dropping what waits (forced shutdown). */
    public void abandon() {
        synchronized (this) {
            done = true;
            pending.clear();
            notifyAll();
        }
        sender.interrupt();
    }

    public synchronized Stop stopReason() {
        return stop;
    }

    /** How many appendChunks calls succeeded. */
    public synchronized int calls() {
        return calls;
    }

    private void sendLoop() {
        try {
            List<Chunk> batch;
            while ((batch = nextBatch()) != null) {
                send(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized List<Chunk> nextBatch() throws InterruptedException {
        while (true) {
            if (done || stop != Stop.NONE) {
                return null;
            }
            if (pending.isEmpty()) {
                if (finishing) {
                    return null;
                }
                wait();
                continue;
            }
            long waitMillis = lastFlush == null ? 0
                    : Duration.between(clock.now(), lastFlush.plus(limits.interval())).toMillis();
            if (waitMillis > 0 && !finishing && pendingChars < limits.flushBytes()) {
                wait(waitMillis);
                continue;
            }
            inFlight = pending.size();
            return List.copyOf(pending);
        }
    }

    private void send(List<Chunk> batch) throws InterruptedException {
        Backend.AppendResult result;
        try {
            result = retry.call("appendChunks for " + message,
                    () -> backend.appendChunks(message, attempt, batch), giveUp);
        } catch (BackendException e) {
            stopWith(e);
            return;
        }
        boolean newCancel;
        synchronized (this) {
            calls++;
            lastFlush = clock.now();
            for (int i = 0; i < batch.size(); i++) {
                pendingChars -= pending.remove(0).text().length();
            }
            inFlight = 0;
            newCancel = result.cancelRequested() && !cancelSeen;
            cancelSeen |= result.cancelRequested();
        }
        if (newCancel) {
            signals.cancelRequested();
        }
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
            notifyAll();
        }
        signals.stopped(reason);
    }
}
