package com.opencodeworker.presentation.status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongPredicate;

/**
 * What {@code opencode-worker status} shows: the worker's state as seen at its ports (the backend
 * calls and the OpenCode processes), kept up to date by {@link ObservedBackend} and
 * {@link ObservedRuntime}. All mutable state is guarded by {@code this}.
 */
public final class StatusBoard {
    private final String version;
    private final String machineId;
    private final String configFile;
    private final String root;
    private final Instant startedAt;
    private String machineName = "";
    private String connection = "connecting";
    private final Map<String, WorkerRow> workers = new LinkedHashMap<>();
    private final Map<String, SessionRow> sessions = new LinkedHashMap<>();
    private final Map<String, String> sessionOfMessage = new LinkedHashMap<>();

    public StatusBoard(String version, String machineId, String configFile, String root, Instant startedAt) {
        this.version = version;
        this.machineId = machineId;
        this.configFile = configFile;
        this.root = root;
        this.startedAt = startedAt;
    }

    /** One worker: its directory and the state this worker reported for it. */
    public record WorkerStatus(String id, String name, String directory, String state) {
    }

    /** The reply OpenCode is writing for a session. */
    public record ReplyStatus(String message, String model, long chunks) {
    }

    /** One session with an OpenCode process. */
    public record SessionStatus(String session, String directory, long openCodePid, String state,
                                Optional<ReplyStatus> reply) {
    }

    /** A snapshot of everything, for one answer of the status endpoint. */
    public record Snapshot(String version, String machineId, String machineName, String connection, String configFile,
                           String root, long pid, Duration uptime, List<WorkerStatus> workers,
                           List<SessionStatus> sessions) {
    }

    private static final class WorkerRow {
        String name;
        String directory;
        String state = "known";
    }

    private static final class SessionRow {
        String directory;
        long pid;
        ReplyRow reply;
    }

    private static final class ReplyRow {
        String message;
        String model;
        long chunks;
    }

    synchronized void connected(String name) {
        machineName = name;
        connection = "connected";
    }

    synchronized void connectionTrouble(String cause) {
        if (!connection.equals("connecting")) {
            connection = "reconnecting (" + cause + ")";
        }
    }

    synchronized void connectionFine() {
        if (!connection.equals("connecting")) {
            connection = "connected";
        }
    }

    synchronized void worker(String id, String name, String directory) {
        WorkerRow row = workers.computeIfAbsent(id, k -> new WorkerRow());
        row.name = name;
        row.directory = directory;
    }

    synchronized void workerState(String id, String state) {
        workers.computeIfAbsent(id, k -> new WorkerRow()).state = state;
    }

    synchronized void processStarted(String session, String directory, long pid) {
        SessionRow row = sessions.computeIfAbsent(session, k -> new SessionRow());
        row.directory = directory;
        row.pid = pid;
    }

    synchronized void processClosed(String session, long pid) {
        SessionRow row = sessions.get(session);
        if (row != null && row.pid == pid) {
            sessions.remove(session);
        }
    }

    synchronized void replyStarted(String session, String message, Optional<String> model) {
        SessionRow row = sessions.get(session);
        if (row == null) {
            return;
        }
        ReplyRow reply = new ReplyRow();
        reply.message = message;
        reply.model = model.orElse("OpenCode's default");
        row.reply = reply;
        sessionOfMessage.put(message, session);
    }

    synchronized void replyEnded(String session, String message) {
        SessionRow row = sessions.get(session);
        if (row != null && row.reply != null && row.reply.message.equals(message)) {
            row.reply = null;
        }
        sessionOfMessage.remove(message);
    }

    synchronized void chunksSent(String message, int count) {
        String session = sessionOfMessage.get(message);
        SessionRow row = session == null ? null : sessions.get(session);
        if (row != null && row.reply != null && row.reply.message.equals(message)) {
            row.reply.chunks += count;
        }
    }

    /** The current state; {@code alive} tells whether an OpenCode pid still runs. */
    public synchronized Snapshot snapshot(Instant now, LongPredicate alive) {
        List<WorkerStatus> workerList = new ArrayList<>();
        workers.forEach((id, row) -> workerList.add(new WorkerStatus(id, row.name, row.directory, row.state)));
        List<SessionStatus> sessionList = new ArrayList<>();
        sessions.forEach((id, row) -> sessionList.add(new SessionStatus(id, row.directory, row.pid,
                !alive.test(row.pid) ? "exited" : row.reply == null ? "idle" : "replying",
                Optional.ofNullable(row.reply).map(r -> new ReplyStatus(r.message, r.model, r.chunks)))));
        return new Snapshot(version, machineId, machineName, connection, configFile, root,
                ProcessHandle.current().pid(), Duration.between(startedAt, now), workerList, sessionList);
    }
}
