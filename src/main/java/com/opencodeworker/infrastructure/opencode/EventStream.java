package com.opencodeworker.infrastructure.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.opencodeworker.domain.port.AssistantException;
import com.opencodeworker.domain.port.AssistantStartTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one event stream ({@code GET /event}) of a server. Hands each event to the handler on the
 * reader thread, in order, and reconnects with backoff when the stream breaks or falls silent (no
 * event, not even OpenCode's heartbeat every 10 s, for {@code silentAfter}); after a reconnect the
 * handler re-reads what it may have missed. Silence is noticed by a timer that looks at the last
 * event's time when it fires, not by a read timeout, which would wake Okio's watchdog thread for
 * every event read. All mutable state is guarded by this.
 */
final class EventStream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
    static final List<Duration> BACKOFF = List.of(Duration.ofMillis(100), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(2));

    /** Receives the stream's events and its reconnects. */
    interface Handler {
        /** Whether events of {@code type} matter (empty: not known before parsing); the others are not parsed. */
        default boolean wants(Optional<String> type) {
            return true;
        }

        void onEvent(JsonNode event);

        /** The stream is back after a break: events may have been missed. */
        void onReconnected();

        /** The stream has been broken for longer than allowed while the process lives: it hangs. */
        void onUnresponsive(Duration brokenFor);
    }

    private final OpenCodeClient client;
    private final Handler handler;
    private final ObjectMapper json;
    private final ScheduledExecutorService scheduler;
    private final String label;
    private final Duration silentAfter;
    private final CountDownLatch firstOpen = new CountDownLatch(1);
    private volatile long lastHeardNanos;
    private EventSource source;
    private EventSource silenced;
    private ScheduledFuture<?> silenceCheck;
    private int failures;
    private boolean broken;
    private long brokenSince;
    private boolean reportedUnresponsive;
    private boolean closed;

    /**
     * @param silentAfter how long the stream may go without an event before it counts as broken, and
     *                    how long it may stay broken (reconnects failing or falling silent too) before
     *                    the server counts as hung
     */
    EventStream(OpenCodeClient client, Handler handler, ObjectMapper json, ScheduledExecutorService scheduler,
                String label, Duration silentAfter) {
        this.silentAfter = silentAfter;
        this.client = client;
        this.handler = handler;
        this.json = json;
        this.scheduler = scheduler;
        this.label = label;
    }

    /** Connects and waits until the stream is open. */
    void open(Duration timeout) {
        connect();
        try {
            if (!firstOpen.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssistantStartTimeoutException("OpenCode's event stream for " + label + " did not open within "
                        + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssistantException("Interrupted while opening the event stream for " + label, e);
        }
    }

    private synchronized void connect() {
        if (!closed) {
            lastHeardNanos = System.nanoTime();
            source = client.openEvents(new Listener());
            watchSilence(source, silentAfter.toNanos());
        }
    }

    private synchronized void watchSilence(EventSource watched, long delayNanos) {
        silenceCheck = scheduler.schedule(() -> checkSilence(watched), delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Cancels {@code watched} if nothing came for {@code silentAfter}; otherwise looks again when it could have. */
    private void checkSilence(EventSource watched) {
        synchronized (this) {
            if (closed || source != watched) {
                return;
            }
            long left = silentAfter.toNanos() - (System.nanoTime() - lastHeardNanos);
            if (left > 0) {
                watchSilence(watched, left);
                return;
            }
            silenced = watched;
        }
        watched.cancel();
    }

    private final class Listener extends EventSourceListener {
        @Override
        public void onOpen(EventSource eventSource, Response response) {
            lastHeardNanos = System.nanoTime();
            boolean reconnected;
            synchronized (EventStream.this) {
                reconnected = broken;
                broken = false;
                reportedUnresponsive = false;
                failures = 0;
            }
            firstOpen.countDown();
            if (reconnected) {
                LOG.info("event stream of {} reconnected", label);
                handler.onReconnected();
            }
        }

        @Override
        public void onEvent(EventSource eventSource, String id, String type, String data) {
            lastHeardNanos = System.nanoTime();
            if (!handler.wants(EventType.peek(data))) {
                return;
            }
            JsonNode event;
            try {
                event = json.readTree(data);
            } catch (IOException e) {
                LOG.debug("ignoring an unreadable event of {}: {}", label, e.getMessage());
                return;
            }
            try {
                handler.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("handling event {} of {} failed: {}", event.path("type").asText(), label, e.toString());
            }
        }

        @Override
        public void onClosed(EventSource eventSource) {
            reconnectLater(eventSource, "closed by the server");
        }

        @Override
        public void onFailure(EventSource eventSource, Throwable error, Response response) {
            reconnectLater(eventSource,
                    error != null ? error.toString() : "HTTP " + (response == null ? "?" : response.code()));
        }
    }

    private void reconnectLater(EventSource ended, String failure) {
        Duration delay;
        Duration hung = null;
        String why = failure;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (ended == silenced) {
                why = "no event, not even a heartbeat, for " + silentAfter.toSeconds() + " s";
            }
            long now = System.nanoTime();
            if (!broken) {
                LOG.info("event stream of {} broke ({}); reconnecting", label, why);
                brokenSince = now;
            }
            broken = true;
            Duration brokenFor = Duration.ofNanos(now - brokenSince);
            if (!reportedUnresponsive && brokenFor.compareTo(silentAfter) >= 0) {
                reportedUnresponsive = true;
                hung = brokenFor;
            }
            delay = BACKOFF.get(Math.min(failures, BACKOFF.size() - 1));
            failures++;
        }
        if (hung != null) {
            handler.onUnresponsive(hung);
        }
        scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        EventSource open;
        synchronized (this) {
            closed = true;
            open = source;
            if (silenceCheck != null) {
                silenceCheck.cancel(false);
            }
        }
        if (open != null) {
            open.cancel();
        }
    }
}
