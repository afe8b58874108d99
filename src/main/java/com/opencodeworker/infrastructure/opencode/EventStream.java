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
import java.util.concurrent.TimeUnit;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one event stream ({@code GET /event}) of a server. Hands each event to the handler on the
 * reader thread, in order, and reconnects with backoff when the stream breaks (a read timeout
 * after 30 s without heartbeat included); after a reconnect the handler re-reads what it may have
 * missed. All mutable state is guarded by this.
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
    private final Duration unresponsiveAfter;
    private final CountDownLatch firstOpen = new CountDownLatch(1);
    private EventSource source;
    private int failures;
    private boolean broken;
    private long brokenSince;
    private boolean reportedUnresponsive;
    private boolean closed;

    /**
     * @param unresponsiveAfter how long the stream may stay broken (reconnects failing, e.g. by read
     *                          timeouts) before the server counts as hung
     */
    EventStream(OpenCodeClient client, Handler handler, ObjectMapper json, ScheduledExecutorService scheduler,
                String label, Duration unresponsiveAfter) {
        this.unresponsiveAfter = unresponsiveAfter;
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
            source = client.openEvents(new Listener());
        }
    }

    private final class Listener extends EventSourceListener {
        @Override
        public void onOpen(EventSource eventSource, Response response) {
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
            reconnectLater("closed by the server");
        }

        @Override
        public void onFailure(EventSource eventSource, Throwable error, Response response) {
            reconnectLater(error != null ? error.toString() : "HTTP " + (response == null ? "?" : response.code()));
        }
    }

    private void reconnectLater(String why) {
        Duration delay;
        Duration hung = null;
        synchronized (this) {
            if (closed) {
                return;
            }
            long now = System.nanoTime();
            if (!broken) {
                LOG.info("event stream of {} broke ({}); reconnecting", label, why);
                brokenSince = now;
            }
            broken = true;
            Duration brokenFor = Duration.ofNanos(now - brokenSince);
            if (!reportedUnresponsive && brokenFor.compareTo(unresponsiveAfter) >= 0) {
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
        }
        if (open != null) {
            open.cancel();
        }
    }
}
