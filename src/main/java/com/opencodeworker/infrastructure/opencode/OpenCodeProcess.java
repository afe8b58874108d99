package com.opencodeworker.infrastructure.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.port.AssistantException;
import com.opencodeworker.domain.port.AssistantProcess;
import com.opencodeworker.domain.port.PromptRecord;
import com.opencodeworker.domain.port.Reply;
import com.opencodeworker.domain.port.ReplyListener;
import com.opencodeworker.domain.port.ReplyResult.Failure.Kind;
import com.opencodeworker.domain.port.ReplyResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns one {@code opencode serve} for one directory: its supervised process, its HTTP client and
 * its event stream. Routes events to the running reply of their session, answers permission
 * requests by policy, ends running replies when the process dies, and stops everything on
 * {@link #close()}. Thread-safe: running replies live in a concurrent map, the rest is final.
 */
public final class OpenCodeProcess implements AssistantProcess {
    private static final Logger LOG = LoggerFactory.getLogger(OpenCodeProcess.class);

    private final String label;
    private final Path directory;
    private final ServerProcess server;
    private final OpenCodeClient client;
    private final PermissionGuard guard;
    private final ObjectMapper json;
    private final ScheduledExecutorService scheduler;
    private final OpenCodeOptions options;
    private final EventStream events;
    private final Map<String, TurnTracker> running = new ConcurrentHashMap<>();
    private final AtomicBoolean closing = new AtomicBoolean();

    OpenCodeProcess(String label, Path directory, ServerProcess server, OpenCodeClient client, PermissionGuard guard,
                    ObjectMapper json, ScheduledExecutorService scheduler, OpenCodeOptions options) {
        this.label = label;
        this.directory = directory;
        this.server = server;
        this.client = client;
        this.guard = guard;
        this.json = json;
        this.scheduler = scheduler;
        this.options = options;
        this.events = new EventStream(client, new Handler(), json, scheduler, label,
                options.eventSilenceTimeout());
    }

    /** Opens the event stream and starts watching for an unexpected exit. */
    void connect() {
        server.onExit().thenAccept(this::onExit);
        events.open(options.startupTimeout());
    }

    @Override
    public long pid() {
        return server.pid();
    }

    /** The server's address, e.g. {@code http://127.0.0.1:4096}. */
    String url() {
        return server.url();
    }

    ServerProcess server() {
        return server;
    }

    @Override
    public boolean isAlive() {
        return server.isAlive();
    }

    @Override
    public OpenedSession openSession(Optional<OpenCodeSessionId> resume, String title) {
        if (resume.isPresent()) {
            Optional<JsonNode> stored = client.getSession(resume.get().value());
            if (stored.isPresent() && inThisDirectory(stored.get())) {
                LOG.info("continuing OpenCode session {} for {}", resume.get(), label);
                return new OpenedSession(resume.get(), false);
            }
            LOG.info("OpenCode session {} of {} is gone; starting a new one", resume.get(), label);
        }
        OpenCodeSessionId created = new OpenCodeSessionId(client.createSession(title).path("id").asText());
        LOG.info("created OpenCode session {} for {}", created, label);
        return new OpenedSession(created, true);
    }

    private boolean inThisDirectory(JsonNode session) {
        String stored = session.path("directory").asText("");
        if (stored.isEmpty()) {
            return true;
        }
        try {
            return Files.isSameFile(Path.of(stored), directory);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Reply prompt(OpenCodeSessionId session, MessageId message, String text, Optional<String> model,
                        ReplyListener listener) {
        Optional<ModelRef> modelRef;
        try {
            modelRef = model.map(ModelRef::parse);
        } catch (IllegalArgumentException e) {
            return FinishedReply.of(ReplyResult.failed(Kind.UNKNOWN_MODEL, e.getMessage(), ""));
        }
        Optional<String> unknown;
        try {
            unknown = modelRef.flatMap(this::unknownModel);
        } catch (AssistantException e) {
            return FinishedReply.of(ReplyResult.failed(server.isAlive() ? Kind.OTHER : Kind.PROCESS_DIED,
                    e.getMessage(), ""));
        }
        if (unknown.isPresent()) {
            return FinishedReply.of(ReplyResult.failed(Kind.UNKNOWN_MODEL, unknown.get(), ""));
        }
        PromptId promptId = PromptId.forMessage(message, Instant.now());
        TurnTracker tracker = new TurnTracker(session.value(), promptId.value(), directory, listener, client, json,
                scheduler, options.abortGrace());
        if (running.putIfAbsent(session.value(), tracker) != null) {
            throw new AssistantException("A reply is already running in OpenCode session " + session);
        }
        tracker.result().whenComplete((result, error) -> running.remove(session.value(), tracker));
        try {
            client.promptAsync(session.value(), promptId.value(), text, modelRef);
            tracker.markStarted();
        } catch (OpenCodeHttpException e) {
            tracker.fail(modelRef.isPresent() && e.status() == 500 ? Kind.UNKNOWN_MODEL : Kind.OTHER,
                    modelRef.map(ref -> "OpenCode rejected the prompt for model " + ref + ": ").orElse("")
                            + e.getMessage());
        } catch (AssistantException e) {
            tracker.fail(server.isAlive() ? Kind.OTHER : Kind.PROCESS_DIED, e.getMessage());
        }
        if (!server.isAlive()) {
            tracker.fail(Kind.PROCESS_DIED, "OpenCode exited");
        }
        return tracker;
    }

    private Optional<String> unknownModel(ModelRef model) {
        for (JsonNode provider : client.providers().path("providers")) {
            if (model.provider().equals(provider.path("id").asText())) {
                return provider.path("models").has(model.model()) ? Optional.empty()
                        : Optional.of("Unknown model " + model + ": provider \"" + model.provider()
                                + "\" has no model \"" + model.model() + "\"");
            }
        }
        return Optional.of("Unknown model " + model + ": provider \"" + model.provider()
                + "\" is not configured in OpenCode");
    }

    @Override
    public PromptRecord lookup(OpenCodeSessionId session, MessageId message) {
        return TurnSnapshot.of(client.messages(session.value()), id -> isPromptFor(id, message), json).record();
    }

    private static boolean isPromptFor(String userMessageId, MessageId message) {
        try {
            return new PromptId(userMessageId).isFor(message);
        } catch (IllegalArgumentException notOurs) {
            return false;
        }
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            server.stop(options.stopGrace());
            return;
        }
        long started = System.nanoTime();
        List<TurnTracker> turns = List.copyOf(running.values());
        turns.forEach(TurnTracker::abort);
        awaitEnded(turns, options.stopGrace());
        events.close();
        server.stop(options.stopGrace());
        turns.forEach(turn -> turn.fail(Kind.ABORTED, "OpenCode was stopped"));
        LOG.info("stopped OpenCode for {} in {} ms", label, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private static void awaitEnded(List<TurnTracker> turns, Duration timeout) {
        try {
            CompletableFuture.allOf(turns.stream().map(TurnTracker::result).toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.debug("replies did not end within {} ms", timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void onExit(int exitCode) {
        if (closing.get()) {
            return;
        }
        LOG.warn("OpenCode for {} exited unexpectedly (exit code {}); its last output:\n{}", label, exitCode,
                server.lastOutput());
        events.close();
        running.values().forEach(turn -> turn.fail(Kind.PROCESS_DIED,
                "OpenCode exited unexpectedly (exit code " + exitCode + ")"));
    }

    private void answerPermission(JsonNode request) {
        String permission = request.path("permission").asText();
        String requestId = request.path("id").asText();
        boolean allow = guard.allows(permission);
        try {
            client.replyPermission(requestId, allow, allow ? Optional.empty()
                    : Optional.of(guard.rejectionMessage(permission)));
        } catch (AssistantException e) {
            LOG.debug("answering permission {} failed: {}", requestId, e.getMessage());
            return;
        }
        if (!allow) {
            String line = guard.deniedLine(request);
            LOG.info("{}: {}", label, line);
            TurnTracker turn = running.get(request.path("sessionID").asText());
            if (turn != null) {
                turn.progress(line);
            }
        }
    }

    private void rejectQuestion(JsonNode request) {
        try {
            client.rejectQuestion(request.path("id").asText());
            LOG.info("{}: rejected a question of the assistant (nobody can answer it here)", label);
        } catch (AssistantException e) {
            LOG.debug("rejecting question failed: {}", e.getMessage());
        }
    }

    private final class Handler implements EventStream.Handler {
        /** What permission answers and {@link TurnEvents} read; the rest is bookkeeping for OpenCode's own UI. */
        private static final Set<String> HANDLED = Set.of("permission.asked", "question.asked", "message.updated",
                "message.part.updated", "message.part.delta", "session.error", "session.status", "session.idle");

        @Override
        public boolean wants(Optional<String> type) {
            return type.map(HANDLED::contains).orElse(true);
        }

        @Override
        public void onEvent(JsonNode event) {
            JsonNode properties = event.path("properties");
            switch (event.path("type").asText()) {
                case "permission.asked" -> answerPermission(properties);
                case "question.asked" -> rejectQuestion(properties);
                default -> {
                    TurnTracker turn = running.get(properties.path("sessionID").asText());
                    if (turn != null) {
                        turn.onEvent(event);
                    }
                }
            }
        }

        @Override
        public void onReconnected() {
            try {
                client.pendingPermissions().forEach(OpenCodeProcess.this::answerPermission);
                client.pendingQuestions().forEach(OpenCodeProcess.this::rejectQuestion);
            } catch (AssistantException e) {
                LOG.debug("re-reading pending requests failed: {}", e.getMessage());
            }
            running.values().forEach(TurnTracker::resync);
        }

        @Override
        public void onUnresponsive(Duration brokenFor) {
            if (closing.get() || !server.isAlive()) {
                return;
            }
            LOG.warn("OpenCode for {} (pid {}) has not answered for {} s; stopping it", label, server.pid(),
                    brokenFor.toSeconds());
            scheduler.execute(() -> server.stop(options.stopGrace()));
        }
    }

    /** A reply that ended before anything was sent (e.g. an unknown model). */
    private record FinishedReply(CompletableFuture<ReplyResult> result) implements Reply {
        static Reply of(ReplyResult result) {
            return new FinishedReply(CompletableFuture.completedFuture(result));
        }

        @Override
        public void abort() {
        }
    }

    @Override
    public String toString() {
        return "OpenCodeProcess[" + label + ", pid " + server.pid() + "]";
    }
}
