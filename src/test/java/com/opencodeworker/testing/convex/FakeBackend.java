package com.opencodeworker.testing.convex;

import com.opencodeworker.domain.Usage;
import com.opencodeworker.domain.port.Clock;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * An in-memory implementation of the whole backend contract (docs: backend-contract): machines with
 * hashed secrets, instances and supersede, the message queue with claims, leases, attempts,
 * idempotent chunks, cancellation and fencing. {@link #installOn} registers its functions with a
 * fake Convex; the other public methods are what the web app and a test's assertions do. A change
 * made through them reaches subscribers only when made inside the fake Convex's {@code update(...)}.
 * Like a Convex mutation, every function checks everything before it changes anything, so a failed
 * call leaves no trace but its entry in {@link #calls()}. All mutable state is guarded by this.
 */
public final class FakeBackend {
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 30_000;
    public static final long DEFAULT_LEASE_MS = 90_000;
    /** {@code messages:work} returns at most this many items, oldest first. */
    public static final int WORK_LIMIT = 100;
    /** The outcome recorded for a call that failed Convex's argument validation (a plain error). */
    public static final String ARGUMENT_ERROR = "ARGUMENT_VALIDATION";

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, MachineRow> machines = new LinkedHashMap<>();
    private final Map<String, WorkerRow> workers = new LinkedHashMap<>();
    private final Map<String, SessionRow> sessions = new LinkedHashMap<>();
    private final Map<String, MessageRow> messages = new LinkedHashMap<>();
    private final Map<String, TreeMap<Integer, ChunkView>> chunks = new LinkedHashMap<>();
    private final List<CallView> calls = new ArrayList<>();
    private final Map<String, Integer> queryCounts = new LinkedHashMap<>();
    private long heartbeatIntervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS;
    private long leaseMs = DEFAULT_LEASE_MS;
    private int nextId = 1;

    public FakeBackend(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Registers every contract function with {@code registry}. */
    public void installOn(FakeFunctionRegistry registry) {
        registry.registerMutation("machines:connect", args -> mutation("machines:connect", args, this::connect));
        registry.registerMutation("machines:heartbeat", args -> mutation("machines:heartbeat", args, this::heartbeat));
        registry.registerMutation("machines:disconnect", args -> mutation("machines:disconnect", args, this::disconnect));
        registry.registerQuery("machines:state", args -> query("machines:state", args, this::state));
        registry.registerMutation("workers:setStatus", args -> mutation("workers:setStatus", args, this::setWorkerStatus));
        registry.registerMutation("sessions:update", args -> mutation("sessions:update", args, this::updateSession));
        registry.registerQuery("messages:work", args -> query("messages:work", args, this::work));
        registry.registerMutation("messages:claim", args -> mutation("messages:claim", args, this::claim));
        registry.registerMutation("messages:appendChunks", args -> mutation("messages:appendChunks", args, this::appendChunks));
        registry.registerMutation("messages:complete", args -> mutation("messages:complete", args, this::complete));
        registry.registerMutation("messages:fail", args -> mutation("messages:fail", args, this::fail));
    }

    // ---- what the web app does ----------------------------------------------------------------

    /** Creates a machine and returns its full token {@code mch_...:sec_...}. */
    public synchronized String createMachine(String name) {
        String machineId = String.format("mch_%04d", nextId++);
        byte[] secretBytes = new byte[16];
        random.nextBytes(secretBytes);
        String secret = "sec_" + HexFormat.of().formatHex(secretBytes);
        machines.put(machineId, new MachineRow(machineId, name, sha256(secret)));
        return machineId + ":" + secret;
    }

    public synchronized String createWorker(String machineId, String name, String directory) {
        requireRow(machines, machineId, "machine");
        String workerId = String.format("wrk_%04d", nextId++);
        workers.put(workerId, new WorkerRow(workerId, machineId, name, directory, now()));
        return workerId;
    }

    /** Creates an idle chat session without an OpenCode session. */
    public synchronized String createSession(String workerId) {
        WorkerRow worker = requireRow(workers, workerId, "worker");
        String sessionId = String.format("chat_%04d", nextId++);
        sessions.put(sessionId, new SessionRow(sessionId, workerId, worker.machineId, now()));
        return sessionId;
    }

    /** Stores the OpenCode session a chat session resumes, as an earlier worker would have. */
    public synchronized void setOpencodeSession(String sessionId, String opencodeSessionId) {
        requireRow(sessions, sessionId, "session").opencodeSessionId = opencodeSessionId;
    }

    /** Sends a user message; it is pending with attempt 0. */
    public synchronized String sendMessage(String sessionId, String content, String model) {
        SessionRow session = requireRow(sessions, sessionId, "session");
        String messageId = String.format("msg_%04d", nextId++);
        messages.put(messageId, new MessageRow(messageId, session, content, model, now()));
        return messageId;
    }

    /** The stop button: a pending message is cancelled at once, a claimed one gets {@code cancelRequested}. */
    public synchronized void cancel(String messageId) {
        MessageRow message = requireRow(messages, messageId, "message");
        if (message.status.equals("pending")) {
            message.finish("cancelled");
        } else if (message.status.equals("claimed")) {
            message.cancelRequested = true;
        }
    }

    /**
     * Makes {@code instanceId} hold the message's next attempt with a fresh lease, as a claim by an
     * instance that the backend never released would. Under the supersede rule this is the only way
     * to reach "taken" and "another instance took it over": every call of a non-current instance fails first.
     */
    public synchronized void claimAs(String messageId, String instanceId) {
        MessageRow message = requireRow(messages, messageId, "message");
        message.status = "claimed";
        message.attempt++;
        message.claimedBy = instanceId;
        message.leaseExpiresAt = now() + leaseMs;
    }

    /**
     * Regenerates the machine's secret, as the web app does when the user rotates or revokes the
     * token: the old token is rejected from now on. Returns the new token.
     */
    public synchronized String rotateToken(String machineId) {
        MachineRow machine = requireRow(machines, machineId, "machine");
        byte[] secretBytes = new byte[16];
        random.nextBytes(secretBytes);
        String secret = "sec_" + HexFormat.of().formatHex(secretBytes);
        machine.secretHash = sha256(secret);
        return machineId + ":" + secret;
    }

    /** Sets the intervals {@code machines:connect} answers with from now on. */
    public synchronized void setConnectResult(long heartbeatIntervalMs, long leaseMs) {
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.leaseMs = leaseMs;
    }

    // ---- what a test asserts -----------------------------------------------------------------

    public synchronized MessageView message(String messageId) {
        return requireRow(messages, messageId, "message").view();
    }

    /** The chunks stored for one attempt, ordered by sequence. */
    public synchronized List<ChunkView> chunks(String messageId, int attempt) {
        TreeMap<Integer, ChunkView> stored = chunks.get(chunkKey(messageId, attempt));
        return stored == null ? List.of() : List.copyOf(stored.values());
    }

    /** Every mutation of the contract called so far, in order, with its outcome. Queries are counted by {@link #queryCount}. */
    public synchronized List<CallView> calls() {
        return List.copyOf(calls);
    }

    /** How often {@code function} (a query) ran, subscriptions' re-runs included. */
    public synchronized int queryCount(String function) {
        return queryCounts.getOrDefault(function, 0);
    }

    public synchronized WorkerView worker(String workerId) {
        WorkerRow row = requireRow(workers, workerId, "worker");
        return new WorkerView(row.workerId, row.machineId, row.name, row.directory, row.status, row.error);
    }

    public synchronized SessionView session(String sessionId) {
        SessionRow row = requireRow(sessions, sessionId, "session");
        return new SessionView(row.sessionId, row.workerId, row.status, row.opencodeSessionId, row.lastActivity,
                row.updateCount);
    }

    public synchronized MachineView machine(String machineId) {
        MachineRow row = requireRow(machines, machineId, "machine");
        boolean heartbeatFresh = now() - row.lastHeartbeat <= 3 * row.heartbeatIntervalMs;
        String status = row.online && heartbeatFresh ? "online" : "offline";
        return new MachineView(row.machineId, row.name, status, row.instanceId, row.heartbeatCount, row.connectCount,
                row.version, row.hostname, row.platform, row.rootDirectory);
    }

    // ---- the contract's functions -------------------------------------------------------------

    private Object connect(FakeBackendArgs args) {
        Auth auth = Auth.ofMutation(args);
        String version = args.string("version");
        String hostname = args.string("hostname");
        String platform = args.string("platform");
        String rootDirectory = args.string("rootDirectory");
        args.noOthers();
        MachineRow machine = authenticate(auth);
        if (machine.instanceId != null && !machine.instanceId.equals(auth.instanceId)) {
            releaseClaimsOf(machine.instanceId);
        }
        machine.instanceId = auth.instanceId;
        machine.online = true;
        machine.lastHeartbeat = now();
        machine.heartbeatIntervalMs = heartbeatIntervalMs;
        machine.connectCount++;
        machine.version = version;
        machine.hostname = hostname;
        machine.platform = platform;
        machine.rootDirectory = rootDirectory;
        return Map.of("machineName", machine.name, "heartbeatIntervalMs", (double) heartbeatIntervalMs,
                "leaseMs", (double) leaseMs);
    }

    private Object heartbeat(FakeBackendArgs args) {
        Auth auth = Auth.ofMutation(args);
        args.number("runningSessions");
        args.noOthers();
        MachineRow machine = authorize(auth);
        machine.online = true;
        machine.lastHeartbeat = now();
        machine.heartbeatCount++;
        long leaseExpiresAt = now() + leaseMs;
        for (MessageRow message : messages.values()) {
            if (message.isHeldBy(auth.instanceId)) {
                message.leaseExpiresAt = leaseExpiresAt;
            }
        }
        return Map.of("leaseExpiresAt", (double) leaseExpiresAt);
    }

    private Object disconnect(FakeBackendArgs args) {
        Auth auth = Auth.ofMutation(args);
        args.noOthers();
        MachineRow machine = authorize(auth);
        machine.online = false;
        releaseClaimsOf(auth.instanceId);
        return null;
    }

    private Object state(FakeBackendArgs args) {
        Auth auth = Auth.ofQuery(args);
        args.noOthers();
        MachineRow machine = authenticate(auth);
        List<Object> workerRecords = new ArrayList<>();
        for (WorkerRow worker : workers.values()) {
            if (worker.machineId.equals(machine.machineId)) {
                workerRecords.add(Map.of("workerId", worker.workerId, "name", worker.name,
                        "directory", worker.directory, "createdAt", (double) worker.createdAt));
            }
        }
        List<Object> sessionRecords = new ArrayList<>();
        for (SessionRow session : sessions.values()) {
            if (session.machineId.equals(machine.machineId)) {
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("sessionId", session.sessionId);
                record.put("workerId", session.workerId);
                record.put("status", session.status);
                record.put("opencodeSessionId", session.opencodeSessionId);
                record.put("lastActivity", (double) session.lastActivity);
                sessionRecords.add(record);
            }
        }
        return Map.of("workers", workerRecords, "sessions", sessionRecords);
    }

    private Object setWorkerStatus(FakeBackendArgs args) {
        Auth auth = Auth.ofMutation(args);
        String workerId = args.string("workerId");
        String status = args.literal("status", "ready", "error");
        String error = args.nullableString("error");
        args.noOthers();
        MachineRow machine = authorize(auth);
        WorkerRow worker = owned(workers, workerId, machine, "worker", row -> row.machineId);
        worker.status = status;
        worker.error = status.equals("error") ? error : null;
        return null;
    }

    private Object updateSession(FakeBackendArgs args) {
        Auth auth = Auth.ofMutation(args);
        String sessionId = args.string("sessionId");
        Optional<String> status = args.optionalLiteral("status", "active", "idle");
        Optional<String> opencodeSessionId = args.optionalString("opencodeSessionId");
        args.noOthers();
        MachineRow machine = authorize(auth);
        SessionRow session = owned(sessions, sessionId, machine, "session", row -> row.machineId);
        status.ifPresent(value -> session.status = value);
        opencodeSessionId.ifPresent(value -> session.opencodeSessionId = value);
        session.lastActivity = now();
        session.updateCount++;
        return null;
    }

    private Object work(FakeBackendArgs args) {
        Auth auth = Auth.ofQuery(args);
        args.noOthers();
        MachineRow machine = authenticate(auth);
        List<MessageRow> open = new ArrayList<>();
        for (MessageRow message : messages.values()) {
            if (message.machineId.equals(machine.machineId)
                    && (message.status.equals("pending") || message.status.equals("claimed"))) {
                open.add(message);
            }
        }
        open.sort((a, b) -> Long.compare(a.createdAt, b.createdAt));
        List<Object> items = new ArrayList<>();
        for (MessageRow message : open.subList(0, Math.min(WORK_LIMIT, open.size()))) {
            items.add(workItem(message));
        }
        return items;
    }

    private Object claim(FakeBackendArgs args) {
        Auth auth = Auth.ofMutation(args);
        String messageId = args.string("messageId");
        args.noOthers();
        MachineRow machine = authorize(auth);
        MessageRow message = messages.get(messageId);
        if (message == null) {
            return notClaimed("not_found");
        }
        requireOwner(machine, message.machineId, "message");
        switch (message.status) {
            case "completed", "failed" -> {
                return notClaimed("done");
            }
            case "cancelled" -> {
                return notClaimed("cancelled");
            }
            case "claimed" -> {
                if (message.isHeldBy(auth.instanceId)) {
                    message.leaseExpiresAt = now() + leaseMs;
                    return claimed(message);
                }
                if (message.leaseExpiresAt > now()) {
                    return notClaimed("taken");
                }
                if (message.cancelRequested) {
                    message.finish("cancelled");
                    return notClaimed("cancelled");
                }
            }
            default -> {
                // pending: claimable
            }
        }
        message.status = "claimed";
        message.attempt++;
        message.claimedBy = auth.instanceId;
        message.leaseExpiresAt = now() + leaseMs;
        return claimed(message);
    }

    private Object appendChunks(FakeBackendArgs args) {
        Auth auth = Auth.ofMutation(args);
        String messageId = args.string("messageId");
        int attempt = (int) args.wholeNumber("attempt");
        List<?> chunkArgs = args.list("chunks");
        List<ChunkView> incoming = new ArrayList<>();
        for (int i = 0; i < chunkArgs.size(); i++) {
            FakeBackendArgs chunk = args.element("chunks", chunkArgs, i);
            incoming.add(new ChunkView((int) chunk.wholeNumber("sequence"),
                    chunk.literal("kind", "text", "reasoning", "tool"), chunk.string("text")));
            chunk.noOthers();
        }
        args.noOthers();
        MachineRow machine = authorize(auth);
        MessageRow message = ownedMessage(messageId, machine);
        requireHolder(message, auth.instanceId, attempt);
        TreeMap<Integer, ChunkView> stored = chunks.computeIfAbsent(chunkKey(messageId, attempt), key -> new TreeMap<>());
        int next = stored.size();
        for (ChunkView chunk : incoming) {
            if (chunk.sequence() > next) {
                throw new FakeConvexError("INVALID_ARGUMENT", "chunk sequence " + chunk.sequence()
                        + " leaves a gap: the next expected is " + next);
            }
            if (chunk.sequence() == next) {
                next++;
            }
        }
        for (ChunkView chunk : incoming) {
            stored.putIfAbsent(chunk.sequence(), chunk);
        }
        message.leaseExpiresAt = now() + leaseMs;
        return Map.of("leaseExpiresAt", (double) message.leaseExpiresAt, "cancelRequested", message.cancelRequested);
    }

    private Object complete(FakeBackendArgs args) {
        Auth auth = Auth.ofMutation(args);
        String messageId = args.string("messageId");
        int attempt = (int) args.wholeNumber("attempt");
        String content = args.string("content");
        String reasoning = args.nullableString("reasoning");
        String parts = args.nullableString("parts");
        Usage usage = args.nullableObject("usage").map(FakeBackend::usage).orElse(null);
        args.noOthers();
        MachineRow machine = authorize(auth);
        MessageRow message = ownedMessage(messageId, machine);
        if (message.isFinishedAttempt(attempt)) {
            return null;
        }
        requireHolder(message, auth.instanceId, attempt);
        message.reply = content;
        message.reasoning = reasoning;
        message.parts = parts;
        message.usage = usage;
        message.finish("completed");
        return null;
    }

    private Object fail(FakeBackendArgs args) {
        Auth auth = Auth.ofMutation(args);
        String messageId = args.string("messageId");
        int attempt = (int) args.wholeNumber("attempt");
        String error = args.string("error");
        boolean retryable = args.bool("retryable");
        args.noOthers();
        MachineRow machine = authorize(auth);
        MessageRow message = ownedMessage(messageId, machine);
        if (message.isFinishedAttempt(attempt)) {
            return null;
        }
        requireHolder(message, auth.instanceId, attempt);
        message.error = error;
        message.retryable = retryable;
        message.finish("failed");
        return null;
    }

    // ---- checks and helpers --------------------------------------------------------------------

    private synchronized Object mutation(String function, Map<String, Object> rawArgs,
                                         Function<FakeBackendArgs, Object> handler) {
        String messageId = rawArgs.get("messageId") instanceof String id ? id : null;
        String instanceId = rawArgs.get("instanceId") instanceof String id ? id : null;
        String outcome = "ok";
        try {
            return handler.apply(new FakeBackendArgs(function, rawArgs));
        } catch (FakeConvexError e) {
            outcome = e.code();
            throw e;
        } catch (IllegalArgumentException e) {
            outcome = ARGUMENT_ERROR;
            throw e;
        } catch (RuntimeException e) {
            outcome = "ERROR " + e.getClass().getSimpleName();
            throw e;
        } finally {
            calls.add(new CallView(function, messageId, instanceId, outcome));
        }
    }

    private synchronized Object query(String function, Map<String, Object> rawArgs,
                                      Function<FakeBackendArgs, Object> handler) {
        queryCounts.merge(function, 1, Integer::sum);
        return handler.apply(new FakeBackendArgs(function, rawArgs));
    }

    /** Checks the machine's secret against its stored hash, in constant time. */
    private MachineRow authenticate(Auth auth) {
        MachineRow machine = machines.get(auth.machineId);
        byte[] offered = sha256(auth.secret);
        byte[] expected = machine == null ? new byte[offered.length] : machine.secretHash;
        if (!MessageDigest.isEqual(offered, expected) || machine == null) {
            throw new FakeConvexError("UNAUTHORIZED", "unknown machine or wrong secret");
        }
        return machine;
    }

    /** Authenticates, then checks the instance before anything else: a superseded one always hears SUPERSEDED. */
    private MachineRow authorize(Auth auth) {
        MachineRow machine = authenticate(auth);
        if (machine.instanceId == null) {
            throw new FakeConvexError("INVALID_ARGUMENT", "this instance has not called machines:connect");
        }
        if (!machine.instanceId.equals(auth.instanceId)) {
            throw new FakeConvexError("SUPERSEDED", "another worker connected with this machine token from "
                    + machine.hostname);
        }
        return machine;
    }

    private <T> T owned(Map<String, T> table, String id, MachineRow machine, String kind,
                        Function<T, String> ownerOf) {
        T row = table.get(id);
        if (row == null) {
            throw new FakeConvexError("NOT_FOUND", kind + " " + id + " does not exist");
        }
        requireOwner(machine, ownerOf.apply(row), kind);
        return row;
    }

    private MessageRow ownedMessage(String messageId, MachineRow machine) {
        return owned(messages, messageId, machine, "message", row -> row.machineId);
    }

    private static void requireOwner(MachineRow machine, String ownerMachineId, String kind) {
        if (!machine.machineId.equals(ownerMachineId)) {
            throw new FakeConvexError("UNAUTHORIZED", "this " + kind + " belongs to another machine");
        }
    }

    /** Fencing: only the instance holding this attempt may write to it; an expired lease still counts until taken. */
    private static void requireHolder(MessageRow message, String instanceId, int attempt) {
        if (!message.isHeldBy(instanceId) || message.attempt != attempt) {
            throw new FakeConvexError("LEASE_LOST", "attempt " + attempt + " of " + message.messageId
                    + " is no longer held by this instance");
        }
    }

    private void releaseClaimsOf(String instanceId) {
        for (MessageRow message : messages.values()) {
            if (message.isHeldBy(instanceId)) {
                message.claimedBy = null;
                message.leaseExpiresAt = null;
                if (message.cancelRequested) {
                    message.finish("cancelled");
                } else {
                    message.status = "pending";
                }
            }
        }
    }

    private Map<String, Object> workItem(MessageRow message) {
        SessionRow session = sessions.get(message.sessionId);
        WorkerRow worker = workers.get(message.workerId);
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("messageId", message.messageId);
        item.put("sessionId", message.sessionId);
        item.put("workerId", message.workerId);
        item.put("directory", worker.directory);
        item.put("opencodeSessionId", session.opencodeSessionId);
        item.put("content", message.content);
        item.put("model", message.model);
        item.put("createdAt", (double) message.createdAt);
        item.put("status", message.status);
        item.put("claimedBy", message.claimedBy);
        item.put("leaseExpiresAt", message.leaseExpiresAt == null ? null : (double) message.leaseExpiresAt);
        item.put("attempt", (double) message.attempt);
        item.put("cancelRequested", message.cancelRequested);
        return item;
    }

    private static Map<String, Object> claimed(MessageRow message) {
        return Map.of("claimed", true, "attempt", (double) message.attempt,
                "leaseExpiresAt", (double) message.leaseExpiresAt);
    }

    private static Map<String, Object> notClaimed(String reason) {
        return Map.of("claimed", false, "reason", reason);
    }

    private static Usage usage(FakeBackendArgs usage) {
        Usage value = new Usage(usage.wholeNumber("inputTokens"), usage.wholeNumber("outputTokens"), usage.number("cost"));
        usage.noOthers();
        return value;
    }

    private static <T> T requireRow(Map<String, T> table, String id, String kind) {
        T row = table.get(id);
        if (row == null) {
            throw new IllegalArgumentException("no " + kind + " " + id + " in the fake backend");
        }
        return row;
    }

    private static String chunkKey(String messageId, int attempt) {
        return messageId + "#" + attempt;
    }

    private long now() {
        return clock.now().toEpochMilli();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    // ---- views ---------------------------------------------------------------------------------

    /**
     * A message as the backend stores it. {@code content} is the reply written by {@code complete};
     * {@code terminalOutcomes} lists every terminal state it reached (exactly one when all went right).
     */
    public record MessageView(String messageId, String sessionId, String prompt, String model, String status,
                              int attempt, String claimedBy, Long leaseExpiresAt, boolean cancelRequested,
                              String content, String reasoning, String parts, Usage usage, String error,
                              Boolean retryable, List<String> terminalOutcomes) {
    }

    /** One stored chunk. */
    public record ChunkView(int sequence, String kind, String text) {
    }

    /** One contract mutation as called: {@code outcome} is "ok", an error code, or {@link #ARGUMENT_ERROR}. */
    public record CallView(String function, String messageId, String instanceId, String outcome) {
    }

    /** A worker; {@code status} is null until the worker process reported ready or error. */
    public record WorkerView(String workerId, String machineId, String name, String directory, String status,
                             String error) {
    }

    /** A chat session; {@code updateCount} counts {@code sessions:update} calls that reached it. */
    public record SessionView(String sessionId, String workerId, String status, String opencodeSessionId,
                              long lastActivity, int updateCount) {
    }

    /** A machine; {@code status} is offline after a disconnect or 3 heartbeat intervals without a heartbeat. */
    public record MachineView(String machineId, String name, String status, String instanceId, int heartbeatCount,
                              int connectCount, String version, String hostname, String platform,
                              String rootDirectory) {
    }

    // ---- rows ----------------------------------------------------------------------------------

    private record Auth(String machineId, String secret, String instanceId) {
        static Auth ofQuery(FakeBackendArgs args) {
            return new Auth(args.string("machineId"), args.string("secret"), null);
        }

        static Auth ofMutation(FakeBackendArgs args) {
            return new Auth(args.string("machineId"), args.string("secret"), args.string("instanceId"));
        }
    }

    private static final class MachineRow {
        final String machineId;
        final String name;
        byte[] secretHash;
        boolean online;
        long lastHeartbeat;
        long heartbeatIntervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS;
        String instanceId;
        int heartbeatCount;
        int connectCount;
        String version;
        String hostname;
        String platform;
        String rootDirectory;

        MachineRow(String machineId, String name, byte[] secretHash) {
            this.machineId = machineId;
            this.name = name;
            this.secretHash = secretHash;
        }
    }

    private static final class WorkerRow {
        final String workerId;
        final String machineId;
        final String name;
        final String directory;
        final long createdAt;
        String status;
        String error;

        WorkerRow(String workerId, String machineId, String name, String directory, long createdAt) {
            this.workerId = workerId;
            this.machineId = machineId;
            this.name = name;
            this.directory = directory;
            this.createdAt = createdAt;
        }
    }

    private static final class SessionRow {
        final String sessionId;
        final String workerId;
        final String machineId;
        String status = "idle";
        String opencodeSessionId;
        long lastActivity;
        int updateCount;

        SessionRow(String sessionId, String workerId, String machineId, long lastActivity) {
            this.sessionId = sessionId;
            this.workerId = workerId;
            this.machineId = machineId;
            this.lastActivity = lastActivity;
        }
    }

    private static final class MessageRow {
        final String messageId;
        final String sessionId;
        final String workerId;
        final String machineId;
        final String content;
        final String model;
        final long createdAt;
        final List<String> terminalOutcomes = new ArrayList<>();
        String status = "pending";
        int attempt;
        String claimedBy;
        Long leaseExpiresAt;
        boolean cancelRequested;
        String reply;
        String reasoning;
        String parts;
        Usage usage;
        String error;
        Boolean retryable;

        MessageRow(String messageId, SessionRow session, String content, String model, long createdAt) {
            this.messageId = messageId;
            this.sessionId = session.sessionId;
            this.workerId = session.workerId;
            this.machineId = session.machineId;
            this.content = content;
            this.model = model;
            this.createdAt = createdAt;
        }

        boolean isHeldBy(String instanceId) {
            return status.equals("claimed") && Objects.equals(claimedBy, instanceId);
        }

        /** Completed or failed in this very attempt: a repeated complete or fail changes nothing. */
        boolean isFinishedAttempt(int finishedAttempt) {
            return (status.equals("completed") || status.equals("failed")) && attempt == finishedAttempt;
        }

        void finish(String outcome) {
            status = outcome;
            terminalOutcomes.add(outcome);
        }

        MessageView view() {
            return new MessageView(messageId, sessionId, content, model, status, attempt, claimedBy, leaseExpiresAt,
                    cancelRequested, reply, reasoning, parts, usage, error, retryable, List.copyOf(terminalOutcomes));
        }
    }
}
