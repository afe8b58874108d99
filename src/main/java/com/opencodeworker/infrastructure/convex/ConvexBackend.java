package com.opencodeworker.infrastructure.convex;

import com.opencodeworker.domain.Chunk;
import com.opencodeworker.domain.InstanceId;
import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.SessionStatus;
import com.opencodeworker.domain.Usage;
import com.opencodeworker.domain.WorkItem;
import com.opencodeworker.domain.WorkerId;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.infrastructure.convex.client.ConvexException;
import com.opencodeworker.infrastructure.convex.client.ConvexFunctions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The backend port on the contract's Convex functions: adds the machine's credentials (and, to
 * mutations, the instance id) to every call, encodes and strictly decodes the contract's records,
 * and maps its error codes to {@link BackendException}s that never carry the secret.
 * Thread-safe; the set of open subscriptions and the closed flag are guarded by this.
 */
public final class ConvexBackend implements Backend {
    private final ConvexFunctions functions;
    private final MachineToken token;
    private final InstanceId instance;
    private final SecretScrubber scrubber;
    private final CallErrors errors;
    private final Snapshots snapshots;
    private final Set<SubscribedQuery<?>> subscriptions = new HashSet<>();
    private boolean closed;

    public ConvexBackend(ConvexFunctions functions, MachineToken token, InstanceId instance) {
        this.functions = Objects.requireNonNull(functions, "functions");
        this.token = Objects.requireNonNull(token, "token");
        this.instance = Objects.requireNonNull(instance, "instance");
        this.scrubber = new SecretScrubber(token.secret());
        this.errors = new CallErrors(scrubber);
        this.snapshots = new Snapshots(new RecordWarnings(), scrubber);
    }

    @Override
    public ConnectResult connect(ConnectRequest request) {
        Map<String, Object> args = mutationArgs();
        args.put("version", request.version());
        args.put("hostname", request.hostname());
        args.put("platform", request.platform());
        args.put("rootDirectory", request.rootDirectory());
        return decode("machines:connect", mutation("machines:connect", args), Answers::connect);
    }

    @Override
    public long heartbeat(int runningSessions) {
        Map<String, Object> args = mutationArgs();
        args.put("runningSessions", (double) runningSessions);
        return decode("machines:heartbeat", mutation("machines:heartbeat", args), Answers::heartbeat);
    }

    @Override
    public void disconnect() {
        mutation("machines:disconnect", mutationArgs());
    }

    @Override
    public MachineState fetchState() {
        return decode(Snapshots.STATE, query(Snapshots.STATE), snapshots::state);
    }

    @Override
    public List<WorkItem> fetchWork() {
        return decode(Snapshots.WORK, query(Snapshots.WORK), snapshots::work);
    }

    @Override
    public Subscription subscribeState(Consumer<MachineState> onSnapshot) {
        return subscribe(Snapshots.STATE, snapshots::state, onSnapshot);
    }

    @Override
    public Subscription subscribeWork(Consumer<List<WorkItem>> onSnapshot) {
        return subscribe(Snapshots.WORK, snapshots::work, onSnapshot);
    }

    @Override
    public void onReconnect(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        functions.addConnectionListener(listener::run);
    }

    @Override
    public void setWorkerStatus(WorkerId worker, Optional<String> error) {
        Map<String, Object> args = mutationArgs();
        args.put("workerId", worker.value());
        args.put("status", error.isPresent() ? "error" : "ready");
        args.put("error", error.orElse(null));
        mutation("workers:setStatus", args);
    }

    @Override
    public void updateSession(SessionId session, Optional<SessionStatus> status,
                              Optional<OpenCodeSessionId> openCodeSession) {
        if (status.filter(SessionStatus.CLOSED::equals).isPresent()) {
            throw new IllegalArgumentException("the worker reports a session active or idle, never closed");
        }
        Map<String, Object> args = mutationArgs();
        args.put("sessionId", session.value());
        status.ifPresent(value -> args.put("status", value.wireName()));
        openCodeSession.ifPresent(value -> args.put("opencodeSessionId", value.value()));
        mutation("sessions:update", args);
    }

    @Override
    public ClaimResult claim(MessageId message) {
        Map<String, Object> args = mutationArgs();
        args.put("messageId", message.value());
        return decode("messages:claim", mutationAnswered("messages:claim", args), Answers::claim);
    }

    @Override
    public CompletableFuture<AppendResult> appendChunks(MessageId message, int attempt, List<Chunk> chunks) {
        Map<String, Object> args = messageArgs(message, attempt);
        List<Object> wireChunks = new ArrayList<>(chunks.size());
        for (Chunk chunk : chunks) {
            Map<String, Object> wire = new LinkedHashMap<>();
            wire.put("sequence", (double) chunk.sequence());
            wire.put("kind", chunk.kind().wireName());
            wire.put("text", chunk.text());
            wireChunks.add(wire);
        }
        args.put("chunks", wireChunks);
        String function = "messages:appendChunks";
        CompletableFuture<Object> answer;
        try {
            answer = call(function, () -> functions.mutationAnsweredAsync(function, args));
        } catch (BackendException e) {
            return CompletableFuture.failedFuture(e);
        }
        // handle() completes the future whatever the function throws: the batcher waits for it.
        return answer.handle((value, error) -> {
            if (error != null) {
                throw mapped(function, Backend.failureOf(error));
            }
            return decode(function, value, Answers::appendChunks);
        });
    }

    @Override
    public void complete(MessageId message, int attempt, CompletedReply reply) {
        Map<String, Object> args = messageArgs(message, attempt);
        args.put("content", reply.content());
        args.put("reasoning", reply.reasoning().orElse(null));
        args.put("parts", reply.parts().orElse(null));
        args.put("usage", reply.usage().map(ConvexBackend::usageRecord).orElse(null));
        mutation("messages:complete", args);
    }

    @Override
    public void fail(MessageId message, int attempt, String error, boolean retryable) {
        Map<String, Object> args = messageArgs(message, attempt);
        args.put("error", Objects.requireNonNull(error, "error"));
        args.put("retryable", retryable);
        mutation("messages:fail", args);
    }

    /** Closes the subscriptions opened here; later calls fail. The Convex client itself is its owner's to close. */
    @Override
    public void close() {
        List<SubscribedQuery<?>> open;
        synchronized (this) {
            closed = true;
            open = List.copyOf(subscriptions);
        }
        open.forEach(SubscribedQuery::close);
    }

    @Override
    public String toString() {
        return "ConvexBackend[" + token + ", instance " + instance + "]";
    }

    private <T> Subscription subscribe(String function, Function<Object, T> decoder, Consumer<T> consumer) {
        SubscribedQuery<T> subscription = new SubscribedQuery<>(function, decoder, consumer, errors, scrubber,
                this::forget);
        synchronized (this) {
            ensureOpen(function);
            subscriptions.add(subscription);
        }
        try {
            subscription.attach(functions.subscribe(function, queryArgs(), subscription));
        } catch (ConvexException e) {
            subscription.close();
            throw errors.map(function, e);
        } catch (RuntimeException e) {
            subscription.close();
            throw errors.unexpected(function, e);
        }
        return subscription;
    }

    private synchronized void forget(SubscribedQuery<?> subscription) {
        subscriptions.remove(subscription);
    }

    private Object mutation(String function, Map<String, Object> args) {
        return call(function, () -> functions.mutation(function, args));
    }

    /**
     * For writes the worker reads nothing of back through its subscriptions (claims, chunks): the
     * answer is enough, and arrives before the server has brought the subscriptions up to date.
     */
    private Object mutationAnswered(String function, Map<String, Object> args) {
        return call(function, () -> functions.mutationAnswered(function, args));
    }

    private <T> T call(String function, Supplier<T> call) {
        synchronized (this) {
            ensureOpen(function);
        }
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw mapped(function, e);
        }
    }

    /** What the port throws for {@code error}, a failure of {@code function}. */
    private BackendException mapped(String function, Throwable error) {
        if (error instanceof ConvexException convex) {
            return errors.map(function, convex);
        }
        return errors.unexpected(function, error instanceof RuntimeException runtime ? runtime
                : new IllegalStateException(error));
    }

    private Object query(String function) {
        return call(function, () -> functions.query(function, queryArgs()));
    }

    private <T> T decode(String function, Object answer, Function<Object, T> decoder) {
        try {
            return decoder.apply(answer);
        } catch (FormatException e) {
            throw errors.malformedAnswer(function, e);
        }
    }

    private void ensureOpen(String function) {
        if (closed) {
            throw new BackendException(function + ": the backend adapter is closed", false);
        }
    }

    private Map<String, Object> queryArgs() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("machineId", token.machineId().value());
        args.put("secret", token.secret());
        return args;
    }

    private Map<String, Object> mutationArgs() {
        Map<String, Object> args = queryArgs();
        args.put("instanceId", instance.value());
        return args;
    }

    private Map<String, Object> messageArgs(MessageId message, int attempt) {
        Map<String, Object> args = mutationArgs();
        args.put("messageId", message.value());
        args.put("attempt", (double) attempt);
        return args;
    }

    private static Map<String, Object> usageRecord(Usage usage) {
        Map<String, Object> wire = new LinkedHashMap<>();
        wire.put("inputTokens", (double) usage.inputTokens());
        wire.put("outputTokens", (double) usage.outputTokens());
        wire.put("cost", usage.cost());
        return wire;
    }
}
