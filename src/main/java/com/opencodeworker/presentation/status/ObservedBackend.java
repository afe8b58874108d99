package com.opencodeworker.presentation.status;

import com.opencodeworker.domain.Chunk;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.SessionStatus;
import com.opencodeworker.domain.WorkItem;
import com.opencodeworker.domain.Worker;
import com.opencodeworker.domain.WorkerId;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The backend, telling the {@link StatusBoard} the connection's state, the machine's workers and the chunks sent. */
public final class ObservedBackend implements Backend {
    private final Backend backend;
    private final StatusBoard board;

    public ObservedBackend(Backend backend, StatusBoard board) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.board = Objects.requireNonNull(board, "board");
    }

    private <T> T observed(Supplier<T> call) {
        try {
            T result = call.get();
            board.connectionFine();
            return result;
        } catch (BackendException e) {
            if (e.retryable()) {
                board.connectionTrouble(e.getMessage());
            }
            throw e;
        }
    }

    private void observed(Runnable call) {
        observed(() -> {
            call.run();
            return null;
        });
    }

    private MachineState seen(MachineState state) {
        for (Worker worker : state.workers()) {
            board.worker(worker.id().value(), worker.name(), worker.directory());
        }
        return state;
    }

    @Override
    public ConnectResult connect(ConnectRequest request) {
        ConnectResult result = backend.connect(request);
        board.connected(result.machineName());
        return result;
    }

    @Override
    public long heartbeat(int runningSessions) {
        return observed(() -> backend.heartbeat(runningSessions));
    }

    @Override
    public void disconnect() {
        backend.disconnect();
    }

    @Override
    public MachineState fetchState() {
        return seen(observed(backend::fetchState));
    }

    @Override
    public List<WorkItem> fetchWork() {
        return observed(backend::fetchWork);
    }

    @Override
    public Subscription subscribeState(Consumer<MachineState> onSnapshot) {
        return backend.subscribeState(state -> onSnapshot.accept(seen(state)));
    }

    @Override
    public Subscription subscribeWork(Consumer<List<WorkItem>> onSnapshot) {
        return backend.subscribeWork(onSnapshot);
    }

    @Override
    public void onReconnect(Runnable listener) {
        backend.onReconnect(() -> {
            board.connectionFine();
            listener.run();
        });
    }

    @Override
    public void setWorkerStatus(WorkerId worker, Optional<String> error) {
        observed(() -> backend.setWorkerStatus(worker, error));
        board.workerState(worker.value(), error.map(e -> "error: " + e).orElse("ready"));
    }

    @Override
    public void updateSession(SessionId session, Optional<SessionStatus> status,
                              Optional<OpenCodeSessionId> openCodeSession) {
        observed(() -> backend.updateSession(session, status, openCodeSession));
    }

    @Override
    public ClaimResult claim(MessageId message) {
        return observed(() -> backend.claim(message));
    }

    @Override
    public CompletableFuture<AppendResult> appendChunks(MessageId message, int attempt, List<Chunk> chunks) {
        return backend.appendChunks(message, attempt, chunks).whenComplete((result, error) -> {
            if (error == null) {
                board.connectionFine();
                board.chunksSent(message.value(), chunks.size());
            } else if (Backend.failureOf(error) instanceof BackendException e && e.retryable()) {
                board.connectionTrouble(e.getMessage());
            }
        });
    }

    @Override
    public void complete(MessageId message, int attempt, CompletedReply reply) {
        observed(() -> backend.complete(message, attempt, reply));
    }

    @Override
    public void fail(MessageId message, int attempt, String error, boolean retryable) {
        observed(() -> backend.fail(message, attempt, error, retryable));
    }

    @Override
    public void close() {
        backend.close();
    }

    @Override
    public String toString() {
        return backend.toString();
    }
}
