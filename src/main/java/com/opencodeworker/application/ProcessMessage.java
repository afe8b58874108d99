package com.opencodeworker.application;

import com.opencodeworker.application.ActiveMessage.StopReason;
import com.opencodeworker.domain.ChunkKind;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.SessionStatus;
import com.opencodeworker.domain.WorkItem;
import com.opencodeworker.domain.port.AssistantException;
import com.opencodeworker.domain.port.AssistantProcess;
import com.opencodeworker.domain.port.AssistantStartTimeoutException;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.domain.port.Clock;
import com.opencodeworker.domain.port.PromptRecord;
import com.opencodeworker.domain.port.Reply;
import com.opencodeworker.domain.port.ReplyEvent;
import com.opencodeworker.domain.port.ReplyResult.Failure;
import com.opencodeworker.domain.port.ReplyResult;
import com.opencodeworker.domain.port.WorkerDirectories;
import com.opencodeworker.domain.port.WorkerDirectoryException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one message, exactly once: claim it, make sure its session's OpenCode runs (resuming the
 * stored conversation), look in OpenCode's history first when an earlier attempt was interrupted,
 * prompt, stream the reply in chunks, then complete or fail it under the held lease.
 * Stateless apart from its collaborators; one call per message, many messages in parallel.
 */
public final class ProcessMessage {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessMessage.class);
    static final int START_TRIES = 3;
    static final String INTERRUPTED = "interrupted by a worker restart";
    static final String SHUTDOWN_BEFORE_REPLY = "stopped by a worker shutdown before any reply";

    private final Backend backend;
    private final SessionProcesses processes;
    private final OpenCodeSessions openCodeSessions;
    private final WorkerDirectories directories;
    private final Clock clock;
    private final Retry retry;
    private final ScheduledExecutorService timer;
    private final ChunkBatcher.Limits limits;
    private final WorkerLifecycle lifecycle;

    public ProcessMessage(Backend backend, SessionProcesses processes, OpenCodeSessions openCodeSessions,
                          WorkerDirectories directories,
                          Clock clock, Retry retry, ScheduledExecutorService timer, ChunkBatcher.Limits limits,
                          WorkerLifecycle lifecycle) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.processes = Objects.requireNonNull(processes, "processes");
        this.openCodeSessions = Objects.requireNonNull(openCodeSessions, "openCodeSessions");
        this.directories = Objects.requireNonNull(directories, "directories");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
    }

    /** Processes {@code item}; {@code active} lets other threads stop it. */
    public Outcome process(WorkItem item, ActiveMessage active) throws InterruptedException {
        try {
            return claimAndAnswer(item, active);
        } catch (BackendException.Superseded e) {
            lifecycle.supersede(e.getMessage());
            return Outcome.DONE;
        } catch (BackendException.LeaseLost e) {
            LOG.info("Message {} is answered by another instance now; this one stops writing", item.messageId());
            return Outcome.RELEASED;
        } catch (BackendException e) {
            if (e.retryable()) {
                LOG.warn("Message {} left for now: {}", item.messageId(), e.getMessage());
                return Outcome.RELEASED;
            }
            // Permanent for this call (the contract): taking it again on every snapshot would loop.
            LOG.warn("Message {} refused by the backend, not taken again by this worker: {}", item.messageId(),
                    e.getMessage());
            return Outcome.DONE;
        }
    }

    private Outcome claimAndAnswer(WorkItem item, ActiveMessage active) throws InterruptedException {
        MessageId id = item.messageId();
        Backend.ClaimResult claim = retry.call("claim of " + id, () -> backend.claim(id), lifecycle::forced);
        if (claim instanceof Backend.NotClaimed notClaimed) {
            LOG.debug("Message {} not claimed: {}", id, notClaimed.reason());
            return notClaimed.reason() == Backend.NotClaimed.Reason.TAKEN ? Outcome.RELEASED : Outcome.DONE;
        }
        int attempt = ((Backend.Claimed) claim).attempt();
        Path directory;
        try {
            directory = directories.resolve(item.directory());
        } catch (WorkerDirectoryException e) {
            fail(id, attempt, e.getMessage(), false);
            return Outcome.DONE;
        }
        SessionProcesses.Lease lease;
        try {
            lease = acquire(item, directory);
        } catch (AssistantException e) {
            fail(id, attempt, "OpenCode could not start: " + e.getMessage(), true);
            return Outcome.DONE;
        } catch (WorkerStoppingException stopping) {
            return Outcome.RELEASED;
        }
        try {
            return answer(item, attempt, lease, active);
        } catch (AssistantException e) {
            fail(id, attempt, "OpenCode failed: " + e.getMessage(), true);
            return Outcome.DONE;
        } finally {
            processes.release(lease);
        }
    }

    /** The session's process; a start that only took too long (a busy machine) is tried again. */
    private SessionProcesses.Lease acquire(WorkItem item, Path directory) throws InterruptedException {
        for (int start = 1; ; start++) {
            try {
                return processes.acquire(item.sessionId(), item.workerId(), directory);
            } catch (AssistantStartTimeoutException slow) {
                if (start >= START_TRIES) {
                    throw slow;
                }
                LOG.info("OpenCode for session {} was slow to start ({}); trying again", item.sessionId(),
                        slow.getMessage());
            }
        }
    }

    private Outcome answer(WorkItem item, int attempt, SessionProcesses.Lease lease, ActiveMessage active)
            throws InterruptedException {
        MessageId id = item.messageId();
        AssistantProcess process = lease.process();
        Opened opened = open(item, lease);
        if (attempt > 1 && !opened.createdNow()) {
            PromptRecord record = process.lookup(opened.id(), id);
            if (record instanceof PromptRecord.Finished finished) {
                LOG.info("Message {} was answered before a restart; completing it from OpenCode's history", id);
                complete(id, attempt, finished.result());
                return Outcome.DONE;
            }
            if (record instanceof PromptRecord.Unfinished) {
                LOG.info("Message {} was cut off by a restart; failing it as retryable", id);
                fail(id, attempt, INTERRUPTED, true);
                return Outcome.DONE;
            }
        }
        return prompt(item, attempt, process, opened.id(), active);
    }

    private record Opened(OpenCodeSessionId id, boolean createdNow) {
    }

    private Opened open(WorkItem item, SessionProcesses.Lease lease) throws InterruptedException {
        Optional<OpenCodeSessionId> stored = openCodeSessions.current(item.sessionId(), item.openCodeSessionId());
        if (processes.isOpened(lease) && stored.isPresent()) {
            return new Opened(stored.get(), false);
        }
        AssistantProcess.OpenedSession opened = lease.process().openSession(stored, "Chat " + item.sessionId());
        openCodeSessions.opened(item.sessionId(), opened.id());
        processes.markOpened(lease);
        boolean changed = stored.map(s -> !s.equals(opened.id())).orElse(true);
        if (opened.created() && stored.isPresent()) {
            LOG.info("OpenCode session {} of session {} no longer exists; continuing in a new one ({})",
                    stored.get(), item.sessionId(), opened.id());
        }
        Optional<OpenCodeSessionId> update = changed ? Optional.of(opened.id()) : Optional.empty();
        retry.run("sessions:update of " + item.sessionId(),
                () -> backend.updateSession(item.sessionId(), Optional.of(SessionStatus.ACTIVE), update),
                lifecycle::forced);
        return new Opened(opened.id(), opened.created());
    }

    private Outcome prompt(WorkItem item, int attempt, AssistantProcess process, OpenCodeSessionId session,
                           ActiveMessage active) throws InterruptedException {
        MessageId id = item.messageId();
        ChunkBatcher.Signals signals = new ChunkBatcher.Signals() {
            @Override
            public void cancelRequested() {
                LOG.info("Stop requested for message {}", id);
                active.stop(StopReason.CANCELLED);
            }

            @Override
            public void stopped(ChunkBatcher.Stop reason) {
                if (reason == ChunkBatcher.Stop.LEASE_LOST) {
                    active.stop(StopReason.LEASE_LOST);
                } else if (reason == ChunkBatcher.Stop.SUPERSEDED) {
                    active.stop(StopReason.SUPERSEDED);
                    lifecycle.supersede();
                }
            }
        };
        ChunkBatcher batcher = new ChunkBatcher(id, attempt, backend, retry, timer, clock, limits, signals,
                lifecycle::forced);
        LOG.info("Answering message {} of session {} in {} (worker {}, model {}, attempt {})", id, item.sessionId(),
                item.directory(), item.workerId(), item.model().orElse("OpenCode's default"), attempt);
        Reply reply = process.prompt(session, id, item.content(), item.model(),
                event -> {
                    if (event instanceof ReplyEvent.TextDelta text) {
                        batcher.add(ChunkKind.TEXT, text.text());
                    } else if (event instanceof ReplyEvent.ReasoningDelta reasoning) {
                        batcher.add(ChunkKind.REASONING, reasoning.text());
                    } else if (event instanceof ReplyEvent.ToolProgress tool) {
                        batcher.add(ChunkKind.TOOL, tool.line() + "\n");
                    }
                });
        active.attach(reply);
        ReplyResult result;
        try {
            result = reply.result().get();
        } catch (InterruptedException e) {
            reply.abort();
            batcher.abandon();
            throw e;
        } catch (ExecutionException e) {
            result = ReplyResult.failed(Failure.Kind.OTHER, String.valueOf(e.getCause()), "");
        }
        if (lifecycle.forced()) {
            batcher.abandon();
        } else {
            batcher.finish();
        }
        Optional<StopReason> stopped = active.stopReason();
        if (stopped.filter(r -> r == StopReason.LEASE_LOST || r == StopReason.SUPERSEDED
                || r == StopReason.REVOKED).isPresent() || lifecycle.cutOff()) {
            return Outcome.DONE;
        }
        LOG.info("Reply to {} ended: {} ({} chunk calls, {} characters)", id,
                result.failure().map(f -> f.kind().name().toLowerCase(Locale.ROOT)).orElse("completed"),
                batcher.calls(), result.text().length());
        finish(id, attempt, result, stopped);
        return Outcome.DONE;
    }

    private void finish(MessageId id, int attempt, ReplyResult result, Optional<StopReason> stopped)
            throws InterruptedException {
        if (result.succeeded()) {
            complete(id, attempt, result);
            return;
        }
        Failure failure = result.failure().orElseThrow();
        if (failure.kind() == Failure.Kind.ABORTED) {
            if (stopped.orElse(StopReason.CANCELLED) == StopReason.SHUTDOWN && result.text().isEmpty()) {
                fail(id, attempt, SHUTDOWN_BEFORE_REPLY, true);
            } else {
                complete(id, attempt, result);
            }
            return;
        }
        boolean retryable = failure.kind() == Failure.Kind.PROCESS_DIED || failure.kind() == Failure.Kind.MODEL_ERROR;
        fail(id, attempt, failure.message(), retryable);
    }

    private void complete(MessageId id, int attempt, ReplyResult result) throws InterruptedException {
        Backend.CompletedReply reply = new Backend.CompletedReply(result.text(),
                Optional.of(result.reasoning()).filter(r -> !r.isEmpty()), result.partsJson(), result.usage());
        retry.run("complete of " + id, () -> backend.complete(id, attempt, reply), lifecycle::forced);
    }

    private void fail(MessageId id, int attempt, String error, boolean retryable) throws InterruptedException {
        LOG.info("Message {} failed: {}", id, error);
        retry.run("fail of " + id, () -> backend.fail(id, attempt, error, retryable), lifecycle::forced);
    }
}
