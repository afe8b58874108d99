package com.opencodeworker.infrastructure.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.opencodeworker.domain.port.Reply;
import com.opencodeworker.domain.port.ReplyEvent;
import com.opencodeworker.domain.port.ReplyListener;
import com.opencodeworker.domain.port.ReplyResult.Failure.Kind;
import com.opencodeworker.domain.port.ReplyResult.Failure;
import com.opencodeworker.domain.port.ReplyResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One prompt's reply: feeds its session's events through {@link TurnEvents} to the listener and
 * completes the result exactly once, from the stored history when the turn ends, or as aborted or
 * dead. The listener is called with this object's lock held, so one thread at a time, in order.
 * All mutable state is guarded by this.
 */
final class TurnTracker implements Reply {
    private static final Logger LOG = LoggerFactory.getLogger(TurnTracker.class);
    /** Enough for a turn's prompt and its replies (one assistant message per step) in most turns. */
    static final int RECENT_MESSAGES = 20;

    private final String sessionId;
    private final String promptId;
    private final ReplyListener listener;
    private final TurnSource source;
    private final ObjectMapper json;
    private final ScheduledExecutorService scheduler;
    private final Duration abortGrace;
    private final TurnEvents events;
    private final CompletableFuture<ReplyResult> result = new CompletableFuture<>();
    private boolean abortRequested;
    private int deltas;

    TurnTracker(String sessionId, String promptId, Path directory, ReplyListener listener, TurnSource source,
                ObjectMapper json, ScheduledExecutorService scheduler, Duration abortGrace) {
        this.sessionId = sessionId;
        this.promptId = promptId;
        this.listener = listener;
        this.source = source;
        this.json = json;
        this.scheduler = scheduler;
        this.abortGrace = abortGrace;
        this.events = new TurnEvents(promptId, directory);
    }

    String sessionId() {
        return sessionId;
    }

    synchronized void markStarted() {
        events.markStarted();
    }

    /** Feeds one event of this session; settles the turn when it signalled its end. */
    void onEvent(JsonNode event) {
        boolean ended;
        synchronized (this) {
            if (result.isDone()) {
                return;
            }
            deliver(events.accept(event));
            ended = events.takeEndSignal();
        }
        if (ended) {
            settle(false);
        }
    }

    /** Shows one progress line (e.g. a permission denial) to the listener. */
    synchronized void progress(String line) {
        if (!result.isDone()) {
            deliver(List.of(new ReplyEvent.ToolProgress(line)));
        }
    }

    /** Re-reads status and history after events may have been missed (the event stream reconnected). */
    void resync() {
        settle(true);
    }

    private void settle(boolean afterGap) {
        TurnSnapshot snapshot;
        try {
            if (source.isBusy(sessionId)) {
                return;
            }
            snapshot = storedTurn();
        } catch (RuntimeException e) {
            LOG.debug("re-reading session {} failed: {}", sessionId, e.getMessage());
            return;
        }
        synchronized (this) {
            if (result.isDone()) {
                return;
            }
            Optional<Failure> failure = abortRequested ? Optional.of(new Failure(Kind.ABORTED, "Aborted"))
                    : events.sessionError().or(() -> snapshot.result().failure());
            if (failure.isPresent()) {
                complete(withFailure(snapshot.result(), failure.get()));
            } else if (snapshot.finished()) {
                complete(snapshot.result());
            } else if (snapshot.sent() && (events.busySeen() || afterGap)) {
                complete(withFailure(snapshot.result(), new Failure(Kind.OTHER,
                        "OpenCode ended the turn without finishing the reply")));
            }
        }
    }

    /**
     * The turn as the history stores it, read from the newest messages: the whole history (which
     * grows with every turn of the chat) only when the prompt is further back than those.
     */
    private TurnSnapshot storedTurn() {
        JsonNode recent = source.recentMessages(sessionId, RECENT_MESSAGES);
        TurnSnapshot snapshot = TurnSnapshot.of(recent, promptId, json);
        return snapshot.sent() || recent.size() < RECENT_MESSAGES ? snapshot
                : TurnSnapshot.of(source.messages(sessionId), promptId, json);
    }

    private ReplyResult withFailure(ReplyResult stored, Failure failure) {
        String text = stored.text().length() >= events.streamedText().length() ? stored.text() : events.streamedText();
        String reasoning = stored.reasoning().length() >= events.streamedReasoning().length() ? stored.reasoning()
                : events.streamedReasoning();
        return new ReplyResult(text, reasoning, stored.partsJson(), stored.usage(), Optional.of(failure));
    }

    @Override
    public void abort() {
        synchronized (this) {
            if (result.isDone() || abortRequested) {
                return;
            }
            abortRequested = true;
        }
        try {
            source.abort(sessionId);
            scheduler.schedule(() -> fail(Kind.ABORTED, "Aborted"), abortGrace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            LOG.debug("abort of session {} failed: {}", sessionId, e.getMessage());
            fail(Kind.ABORTED, "Aborted");
        }
    }

    /** Ends the turn now with {@code kind}, keeping what was streamed so far; no-op once ended. */
    synchronized void fail(Kind kind, String message) {
        if (!result.isDone()) {
            complete(new ReplyResult(events.streamedText(), events.streamedReasoning(), Optional.empty(),
                    Optional.empty(), Optional.of(new Failure(kind, message))));
        }
    }

    private void complete(ReplyResult reply) {
        LOG.debug("reply to {} in session {} ended: {} ({} deltas, {} chars)", promptId, sessionId,
                reply.failure().map(f -> f.kind().name()).orElse("finished"), deltas, reply.text().length());
        result.complete(reply);
    }

    private void deliver(List<ReplyEvent> replyEvents) {
        for (ReplyEvent event : replyEvents) {
            if (!(event instanceof ReplyEvent.ToolProgress)) {
                deltas++;
            }
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("reply listener failed on {}: {}", event.getClass().getSimpleName(), e.toString());
            }
        }
    }

    @Override
    public CompletableFuture<ReplyResult> result() {
        return result;
    }
}
