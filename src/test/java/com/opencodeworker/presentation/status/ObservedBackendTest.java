package com.opencodeworker.presentation.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.opencodeworker.domain.Chunk;
import com.opencodeworker.domain.ChunkKind;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ObservedBackendTest {
    private static final MessageId MESSAGE = new MessageId("msg_1");
    private static final List<Chunk> CHUNKS = List.of(new Chunk(0, ChunkKind.TEXT, "Hel"));

    private final Backend backend = mock(Backend.class);
    private final StatusBoard board = new StatusBoard("1.0", "mch_1", "config.json", "/r", Instant.EPOCH);
    private final ObservedBackend observed = new ObservedBackend(backend, board);

    @BeforeEach
    void connect() {
        when(backend.connect(any())).thenReturn(new Backend.ConnectResult("laptop", 30_000, 90_000));
        observed.connect(new Backend.ConnectRequest("1.0", "host", "linux", "/r"));
    }

    private String connection() {
        return board.snapshot(Instant.EPOCH, pid -> true).connection();
    }

    private void answerAppends(CompletableFuture<Backend.AppendResult> answer) {
        when(backend.appendChunks(any(), anyInt(), any())).thenReturn(answer);
    }

    @Test
    void aRetryableAppendFailureShowsTheConnectionInTroubleEvenWhenAStageWrappedIt() {
        // The adapter's future comes from a stage after the socket's: it fails with a CompletionException around
        // the backend's error.
        answerAppends(CompletableFuture.<Backend.AppendResult>failedFuture(
                new BackendException.Transient("socket dropped", null)).thenApply(result -> result));

        observed.appendChunks(MESSAGE, 1, CHUNKS);

        assertThat(connection()).isEqualTo("reconnecting (socket dropped)");
    }

    @Test
    void aFinalAppendFailureSaysNothingOfTheConnection() {
        answerAppends(CompletableFuture.failedFuture(new BackendException.LeaseLost("taken over")));

        observed.appendChunks(MESSAGE, 1, CHUNKS);

        assertThat(connection()).isEqualTo("connected");
    }

    @Test
    void anAnsweredAppendShowsTheConnectionFineAgain() {
        answerAppends(CompletableFuture.failedFuture(new BackendException.Transient("socket dropped", null)));
        observed.appendChunks(MESSAGE, 1, CHUNKS);
        answerAppends(CompletableFuture.completedFuture(new Backend.AppendResult(0, false)));

        observed.appendChunks(MESSAGE, 1, CHUNKS);

        assertThat(connection()).isEqualTo("connected");
    }
}
