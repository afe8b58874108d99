package com.opencodeworker.domain.port;

import com.opencodeworker.domain.Chunk;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.Session;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.SessionStatus;
import com.opencodeworker.domain.Usage;
import com.opencodeworker.domain.WorkItem;
import com.opencodeworker.domain.Worker;
import com.opencodeworker.domain.WorkerId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The backend contract (docs: backend-contract) as the worker sees it. The machine id, secret and
 * instance id are the adapter's: no method takes them. Every method but {@link #appendChunks} blocks
 * until the backend answered and throws a {@link BackendException} otherwise. Implementations are
 * thread-safe.
 */
public interface Backend extends AutoCloseable {

    /** {@code machines:connect}: supersedes any earlier instance of this machine. */
    ConnectResult connect(ConnectRequest request);

    /** {@code machines:heartbeat}; returns the renewed lease expiry (ms since the epoch). */
    long heartbeat(int runningSessions);

    /** {@code machines:disconnect}: offline, this instance's claims released. */
    void disconnect();

    /** {@code machines:state}, read once. */
    MachineState fetchState();

    /** {@code messages:work}, read once. */
    List<WorkItem> fetchWork();

    /** Subscribes to {@code machines:state}; every update is the whole snapshot. */
    Subscription subscribeState(Consumer<MachineState> onSnapshot);

    /** Subscribes to {@code messages:work}; every update is the whole snapshot. */
    Subscription subscribeWork(Consumer<List<WorkItem>> onSnapshot);

    /** Called after the live connection to the backend came back (subscriptions may have missed updates). */
    void onReconnect(Runnable listener);

    /** {@code workers:setStatus}; {@code error} empty means ready. */
    void setWorkerStatus(WorkerId worker, Optional<String> error);

    /** {@code sessions:update}; empty fields are left unchanged. */
    void updateSession(SessionId session, Optional<SessionStatus> status, Optional<OpenCodeSessionId> openCodeSession);

    /** {@code messages:claim}. */
    ClaimResult claim(MessageId message);

    /**
     * {@code messages:appendChunks}; idempotent per (message, attempt, sequence). The one call that does
     * not block (a reply makes one per streamed delta): the future completes with the answer, or
     * exceptionally with the {@link BackendException} a blocking call would throw (read it with
     * {@link #failureOf}), on a thread of the adapter's, so what follows it must be short and must not
     * block.
     */
    CompletableFuture<AppendResult> appendChunks(MessageId message, int attempt, List<Chunk> chunks);

    /**
     * The error a future failed with: a stage that follows a failed one (as a decorator's or the
     * adapter's does) fails with a {@link CompletionException} around it.
     */
    static Throwable failureOf(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** {@code messages:complete}. */
    void complete(MessageId message, int attempt, CompletedReply reply);

    /** {@code messages:fail}. */
    void fail(MessageId message, int attempt, String error, boolean retryable);

    @Override
    void close();

    /** What the worker tells the backend about itself at start. */
    record ConnectRequest(String version, String hostname, String platform, String rootDirectory) {
    }

    /** The backend's answer to connect: the machine's name and the intervals it chose. */
    record ConnectResult(String machineName, long heartbeatIntervalMs, long leaseMs) {
    }

    /** A snapshot of {@code machines:state}. */
    record MachineState(List<Worker> workers, List<Session> sessions) {
        public MachineState {
            workers = List.copyOf(workers);
            sessions = List.copyOf(sessions);
        }
    }

    /** The answer to a claim. */
    sealed interface ClaimResult permits Claimed, NotClaimed {
    }

    /** This instance now holds {@code attempt} of the message until {@code leaseExpiresAt}. */
    record Claimed(int attempt, long leaseExpiresAt) implements ClaimResult {
    }

    /** Someone else holds it, or it needs no work any more. */
    record NotClaimed(Reason reason) implements ClaimResult {
        /** Why a claim was refused. */
        public enum Reason { TAKEN, DONE, CANCELLED, NOT_FOUND }
    }

    /** The answer to appendChunks: the renewed lease, and whether the user pressed stop. */
    record AppendResult(long leaseExpiresAt, boolean cancelRequested) {
    }

    /** The durable record of a reply. {@code parts} is a JSON string of OpenCode's parts. */
    record CompletedReply(String content, Optional<String> reasoning, Optional<String> parts, Optional<Usage> usage) {
        public CompletedReply {
            Objects.requireNonNull(content, "content");
            Objects.requireNonNull(reasoning, "reasoning");
            Objects.requireNonNull(parts, "parts");
            Objects.requireNonNull(usage, "usage");
        }
    }

    /** A live subscription; closing it unsubscribes. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
