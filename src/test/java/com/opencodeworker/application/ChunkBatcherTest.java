package com.opencodeworker.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.opencodeworker.domain.Chunk;
import com.opencodeworker.domain.ChunkKind;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.testing.LogCapture;
import com.opencodeworker.domain.port.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mockito.stubbing.Answer;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ChunkBatcherTest {
    private static final MessageId MESSAGE = new MessageId("m1");
    private final Backend backend = mock(Backend.class);
    private final List<List<Chunk>> batches = new CopyOnWriteArrayList<>();
    private final AtomicInteger cancels = new AtomicInteger();
    private final List<ChunkBatcher.Stop> stops = new CopyOnWriteArrayList<>();
    private final Retry retry = new Retry(RetryBackoff.of(Duration.ofMillis(1), Duration.ofMillis(5)), d -> { });
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    /** What the reply does when the batcher stops it (the default records the reason). */
    private Consumer<ChunkBatcher.Stop> onStopped = stops::add;
    /** What the reply does when the backend asks to cancel it (the default counts it). */
    private Runnable onCancel = cancels::incrementAndGet;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochMilli(1_000_000));
    private final AtomicInteger clockReads = new AtomicInteger();

    private ChunkBatcher batcher(ChunkBatcher.Limits limits) {
        return batcher(limits, Clock.system());
    }

    /** A batcher on the test's manual clock ({@link #advance}), which counts its reads. */
    private ChunkBatcher manualBatcher(ChunkBatcher.Limits limits) {
        return batcher(limits, () -> {
            clockReads.incrementAndGet();
            return now.get();
        });
    }

    private void advance(Duration by) {
        now.updateAndGet(t -> t.plus(by));
    }

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private ChunkBatcher batcher(ChunkBatcher.Limits limits, Clock clock) {
        return new ChunkBatcher(MESSAGE, 1, backend, retry, timer, clock, limits, new ChunkBatcher.Signals() {
            @Override
            public void cancelRequested() {
                onCancel.run();
            }

            @Override
            public void stopped(ChunkBatcher.Stop reason) {
                onStopped.accept(reason);
            }
        }, () -> false);
    }

    /** Records every call's chunks and answers it at once with {@code then}'s answer (or its BackendException). */
    private void recordBatches(Answer<Backend.AppendResult> then) {
        answerCalls(inv -> {
            try {
                return CompletableFuture.completedFuture(then.answer(inv));
            } catch (BackendException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    /** Records every call's chunks and answers it with the future {@code then} gives. */
    private void answerCalls(Answer<CompletableFuture<Backend.AppendResult>> then) {
        when(backend.appendChunks(eq(MESSAGE), eq(1), any())).thenAnswer(inv -> {
            batches.add(List.copyOf(inv.getArgument(2)));
            return then.answer(inv);
        });
    }

    /** Every appendChunks call stays unanswered until the returned action runs; calls after it are answered at once. */
    private Runnable holdEveryCallUntilReleased() {
        List<CompletableFuture<Backend.AppendResult>> held = new CopyOnWriteArrayList<>();
        AtomicBoolean released = new AtomicBoolean();
        answerCalls(inv -> {
            CompletableFuture<Backend.AppendResult> answer = new CompletableFuture<>();
            held.add(answer);
            if (released.get()) {
                answer.complete(ok());
            }
            return answer;
        });
        return () -> {
            released.set(true);
            held.forEach(answer -> answer.complete(ok()));
        };
    }

    /** Limits that flush at once (1 ms), with the given chunk length and bound. */
    private static ChunkBatcher.Limits eager(int maxChunkChars, int maxBuffered) {
        return new ChunkBatcher.Limits(Duration.ofMillis(1), 4096, maxChunkChars, maxBuffered);
    }

    /**
     * With the first call, carrying {@code first}, held in flight, runs {@code whileHeld}; then lets every call go
     * and finishes the batcher.
     */
    private ChunkBatcher behindAHeldFirstCall(ChunkBatcher.Limits limits, String first,
                                              Consumer<ChunkBatcher> whileHeld) throws InterruptedException {
        Runnable release = holdEveryCallUntilReleased();
        ChunkBatcher batcher = batcherWithFirstCallInFlight(limits, first);
        whileHeld.accept(batcher);
        release.run();
        batcher.finish();
        return batcher;
    }

    /** A batcher whose first call, carrying {@code first}, is in flight. */
    private ChunkBatcher batcherWithFirstCallInFlight(ChunkBatcher.Limits limits, String first) {
        ChunkBatcher batcher = batcher(limits);
        batcher.add(ChunkKind.TEXT, first);
        await().atMost(Duration.ofSeconds(5)).until(() -> batches.size() == 1);
        return batcher;
    }

    private static Backend.AppendResult ok() {
        return new Backend.AppendResult(0, false);
    }

    private String sentText() {
        return batches.stream().flatMap(List::stream).distinct().map(Chunk::text).collect(Collectors.joining());
    }

    @Test
    void firstDeltaIsSentAtOnceAlone() throws InterruptedException {
        recordBatches(inv -> ok());
        ChunkBatcher batcher = batcherWithFirstCallInFlight(
                new ChunkBatcher.Limits(Duration.ofHours(1), 4096, 4096, 1 << 20), "Hel");
        assertThat(batches.get(0)).containsExactly(new Chunk(0, ChunkKind.TEXT, "Hel"));
        batcher.finish();
    }

    @Test
    void deltasWaitingBehindACallAreCoalescedIntoOneChunkPerKind() throws InterruptedException {
        ChunkBatcher batcher = behindAHeldFirstCall(eager(4096, 1 << 20), "a", held -> {
            held.add(ChunkKind.TEXT, "b");
            held.add(ChunkKind.TEXT, "c");
            held.add(ChunkKind.REASONING, "think");
            held.add(ChunkKind.TEXT, "d");
        });

        assertThat(batches).hasSize(2);
        assertThat(batches.get(1)).containsExactly(new Chunk(1, ChunkKind.TEXT, "bc"),
                new Chunk(2, ChunkKind.REASONING, "think"), new Chunk(3, ChunkKind.TEXT, "d"));
        assertThat(batcher.calls()).isEqualTo(2);
    }

    @Test
    void aTransientFailureIsRetriedWithTheSameSequences() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        recordBatches(inv -> {
            if (calls.incrementAndGet() == 1) {
                throw new BackendException.Transient("socket dropped", null);
            }
            return ok();
        });
        ChunkBatcher batcher = batcher(ChunkBatcher.Limits.standard());

        batcher.add(ChunkKind.TEXT, "hello");
        batcher.finish();

        assertThat(batches).hasSize(2);
        assertThat(batches.get(0)).isEqualTo(batches.get(1));
        assertThat(batches.get(0)).containsExactly(new Chunk(0, ChunkKind.TEXT, "hello"));
    }

    @Test
    void lostLeaseStopsWritingAndSaysSo() throws InterruptedException {
        recordBatches(inv -> {
            throw new BackendException.LeaseLost("taken over");
        });
        ChunkBatcher batcher = batcher(ChunkBatcher.Limits.standard());

        batcher.add(ChunkKind.TEXT, "hello");
        await().atMost(Duration.ofSeconds(5)).until(() -> !stops.isEmpty());
        batcher.add(ChunkKind.TEXT, "more");
        batcher.finish();

        assertThat(stops).containsExactly(ChunkBatcher.Stop.LEASE_LOST);
        assertThat(batches).hasSize(1);
        assertThat(batcher.stopReason()).isEqualTo(ChunkBatcher.Stop.LEASE_LOST);
    }

    static Stream<Arguments> answersThatEndTheLiveView() {
        return Stream.of(
                Arguments.of(new BackendException.Superseded("another instance"), ChunkBatcher.Stop.SUPERSEDED),
                Arguments.of(new BackendException.Rejected("too large"), ChunkBatcher.Stop.REJECTED));
    }

    @ParameterizedTest
    @MethodSource("answersThatEndTheLiveView")
    void anAnswerThatEndsTheLiveViewStopsWritingAndSaysWhy(BackendException answer, ChunkBatcher.Stop reason)
            throws InterruptedException {
        recordBatches(inv -> {
            throw answer;
        });
        ChunkBatcher batcher = batcher(ChunkBatcher.Limits.standard());

        batcher.add(ChunkKind.TEXT, "hello");
        batcher.finish();

        assertThat(stops).containsExactly(reason);
        assertThat(batches).hasSize(1);
        assertThat(batcher.stopReason()).isEqualTo(reason);
    }

    @Test
    void afterAbandonTheAnswerOfTheCallInFlightChangesNothingAndNothingMoreIsSent() throws InterruptedException {
        CompletableFuture<Backend.AppendResult> inFlight = new CompletableFuture<>();
        answerCalls(inv -> inFlight);
        ChunkBatcher batcher = batcher(eager(4096, 1 << 20));
        batcher.add(ChunkKind.TEXT, "a");
        awaitBatches(1);
        batcher.add(ChunkKind.TEXT, "b");

        batcher.abandon();
        inFlight.complete(new Backend.AppendResult(0, true));
        batcher.finish();

        assertThat(batches).hasSize(1);
        assertThat(batcher.calls()).isZero();
        assertThat(cancels).hasValue(0);
    }

    @Test
    void aCallIsSentByTheThreadThatMadeItDueOrByTheAnswerBeforeIt() throws InterruptedException {
        List<String> senders = new CopyOnWriteArrayList<>();
        CompletableFuture<Backend.AppendResult> first = new CompletableFuture<>();
        answerCalls(inv -> {
            senders.add(Thread.currentThread().getName());
            return senders.size() == 1 ? first : CompletableFuture.completedFuture(ok());
        });
        ChunkBatcher batcher = batcher(new ChunkBatcher.Limits(Duration.ZERO, 4096, 4096, 1 << 20));
        batcher.add(ChunkKind.TEXT, "a");
        batcher.add(ChunkKind.TEXT, "b");
        Thread adapter = new Thread(() -> first.complete(ok()), "adapter-reader");

        adapter.start();
        adapter.join();
        batcher.finish();

        assertThat(senders).containsExactly(Thread.currentThread().getName(), "adapter-reader");
        assertThat(sentText()).isEqualTo("ab");
    }

    @Test
    void aStopSignalRunsOffTheAnswersThreadAndFinishWaitsForIt() throws Exception {
        CountDownLatch abortMayEnd = new CountDownLatch(1);
        onStopped = reason -> blockUntil(abortMayEnd, () -> stops.add(reason));
        CompletableFuture<Backend.AppendResult> inFlight = new CompletableFuture<>();
        answerCalls(inv -> inFlight);
        ChunkBatcher batcher = batcher(ChunkBatcher.Limits.standard());
        batcher.add(ChunkKind.TEXT, "a");
        awaitBatches(1);

        // Returns although the reply's stop (an abort over HTTP in the worker) has not ended.
        inFlight.completeExceptionally(new BackendException.LeaseLost("taken over"));
        await().atMost(Duration.ofSeconds(5)).until(() -> stops.contains(ChunkBatcher.Stop.LEASE_LOST));

        assertFinishWaitsUntil(batcher, abortMayEnd);
        assertThat(batcher.stopReason()).isEqualTo(ChunkBatcher.Stop.LEASE_LOST);
    }

    /** Runs {@code first}, then blocks until {@code mayEnd} is counted down, as a signal that aborts a reply. */
    private static void blockUntil(CountDownLatch mayEnd, Runnable first) {
        first.run();
        try {
            mayEnd.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code finish} on a thread of its own waits (does not return) until {@code signalMayEnd}, then returns. */
    private static void assertFinishWaitsUntil(ChunkBatcher batcher, CountDownLatch signalMayEnd)
            throws InterruptedException {
        Thread finishing = new Thread(() -> {
            try {
                batcher.finish();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "finishing");
        finishing.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> finishing.getState() == Thread.State.WAITING
                || finishing.getState() == Thread.State.TERMINATED);

        assertThat(finishing.getState()).isEqualTo(Thread.State.WAITING);
        signalMayEnd.countDown();
        finishing.join(5_000);
        assertThat(finishing.isAlive()).isFalse();
    }

    @Test
    void noCancelIsSignalledWhileTheBackendDoesNotAskForOne() throws InterruptedException {
        recordBatches(inv -> ok());
        ChunkBatcher batcher = batcher(new ChunkBatcher.Limits(Duration.ofMillis(1), 4096, 4096, 1 << 20));

        batcher.add(ChunkKind.TEXT, "a");
        batcher.finish();

        assertThat(batches).hasSize(1);
        assertThat(cancels).hasValue(0);
    }

    @Test
    void cancelRequestedIsSignalledOnce() throws InterruptedException {
        recordBatches(inv -> new Backend.AppendResult(0, true));
        ChunkBatcher batcher = batcher(new ChunkBatcher.Limits(Duration.ofMillis(1), 4096, 4096, 1 << 20));

        batcher.add(ChunkKind.TEXT, "a");
        await().atMost(Duration.ofSeconds(5)).until(() -> cancels.get() == 1);
        batcher.add(ChunkKind.TEXT, "b");
        batcher.finish();

        assertThat(batches).hasSize(2);
        assertThat(cancels).hasValue(1);
    }

    @Test
    void finishWaitsForTheCancelSignalToHaveRun() throws Exception {
        CountDownLatch cancelMayEnd = new CountDownLatch(1);
        onCancel = () -> blockUntil(cancelMayEnd, cancels::incrementAndGet);
        recordBatches(inv -> new Backend.AppendResult(0, true));
        ChunkBatcher batcher = batcher(ChunkBatcher.Limits.standard());
        batcher.add(ChunkKind.TEXT, "a");
        await().atMost(Duration.ofSeconds(5)).until(() -> cancels.get() == 1);

        assertFinishWaitsUntil(batcher, cancelMayEnd);
        assertThat(cancels).hasValue(1);
    }

    @Test
    void aFailedAnswerIsReadByItsCauseWhenTheAdapterWrapsIt() throws InterruptedException {
        // A future made by a dependent stage (as the Convex adapter maps its answer with handle()) fails with a
        // CompletionException around the backend's error.
        answerCalls(inv -> CompletableFuture.<Backend.AppendResult>failedFuture(
                new BackendException.LeaseLost("taken over")).thenApply(result -> result));
        ChunkBatcher batcher = batcher(ChunkBatcher.Limits.standard());

        batcher.add(ChunkKind.TEXT, "hello");
        batcher.finish();

        assertThat(stops).containsExactly(ChunkBatcher.Stop.LEASE_LOST);
    }

    @Test
    void aRecoveryIsLoggedOnceAndTheNextFailureIsLoggedAgain() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        recordBatches(inv -> {
            int call = calls.incrementAndGet();
            if (call == 1 || call == 3) {
                throw new BackendException.Transient("socket dropped", null);
            }
            return ok();
        });
        List<String> lines;
        try (LogCapture log = LogCapture.of(Retry.class)) {
            ChunkBatcher batcher = batcher(eager(4096, 1 << 20));
            batcher.add(ChunkKind.TEXT, "a");
            await().atMost(Duration.ofSeconds(5)).until(() -> batcher.calls() == 1);
            batcher.add(ChunkKind.TEXT, "b");
            batcher.finish();
            lines = log.messages();
        }

        assertThat(lines).hasSize(4).allMatch(line -> line.startsWith("appendChunks for m1 "));
        assertThat(lines.get(1)).isEqualTo("appendChunks for m1 succeeded again after 1 failed attempt");
        assertThat(lines.get(2)).startsWith("appendChunks for m1 failed (socket dropped); retrying");
    }

    @Test
    void longDeltasAreSplitWithoutBreakingSurrogatePairs() throws InterruptedException {
        recordBatches(inv -> ok());
        ChunkBatcher batcher = batcher(new ChunkBatcher.Limits(Duration.ofMillis(1), 4096, 4, 1 << 20));
        String text = "abc\uD83D\uDE00defgh";

        batcher.add(ChunkKind.TEXT, text);
        batcher.finish();

        List<Chunk> chunks = batches.stream().flatMap(List::stream).toList();
        assertThat(chunks).extracting(Chunk::sequence).containsExactly(0, 1, 2);
        assertThat(chunks).extracting(Chunk::text).containsExactly("abc", "\uD83D\uDE00de", "fgh");
        assertThat(sentText()).isEqualTo(text);
    }

    @Test
    void coalescedDeltasNeverMakeAChunkLongerThanTheLimit() throws InterruptedException {
        behindAHeldFirstCall(eager(4, 1 << 20), "a", held -> {
            held.add(ChunkKind.TEXT, "bc");
            held.add(ChunkKind.TEXT, "de");
            held.add(ChunkKind.TEXT, "f");
        });

        assertThat(batches).hasSize(2);
        assertThat(batches.get(1)).containsExactly(new Chunk(1, ChunkKind.TEXT, "bcde"),
                new Chunk(2, ChunkKind.TEXT, "f"));
    }

    @Test
    void aDeltaEndingInHalfASurrogatePairIsSentWhole() throws InterruptedException {
        recordBatches(inv -> ok());
        ChunkBatcher batcher = batcher(new ChunkBatcher.Limits(Duration.ofMillis(1), 4096, 4, 1 << 20));

        batcher.add(ChunkKind.TEXT, "ab\uD83D");
        batcher.finish();

        assertThat(batches).singleElement().asList().containsExactly(new Chunk(0, ChunkKind.TEXT, "ab\uD83D"));
    }

    @Test
    void whatWaitsMayFillTheBoundExactly() throws InterruptedException {
        behindAHeldFirstCall(eager(4096, 100), "x".repeat(10), held -> {
            held.add(ChunkKind.TEXT, "y".repeat(90));
        });

        assertThat(sentText()).isEqualTo("x".repeat(10) + "y".repeat(90));
    }

    @Test
    void whatWasSentNoLongerCountsAgainstTheBound() throws InterruptedException {
        recordBatches(inv -> ok());
        ChunkBatcher batcher = batcher(new ChunkBatcher.Limits(Duration.ofMillis(1), 4096, 4096, 10));
        batcher.add(ChunkKind.TEXT, "0123456789");
        await().atMost(Duration.ofSeconds(5)).until(() -> batcher.calls() == 1);

        batcher.add(ChunkKind.TEXT, "abcdefghij");
        batcher.finish();

        assertThat(sentText()).isEqualTo("0123456789abcdefghij");
    }

    @Test
    void aPausedLiveViewIsLoggedOnceNotForEveryDroppedDelta() throws InterruptedException {
        List<String> lines;
        try (LogCapture log = LogCapture.of(ChunkBatcher.class)) {
            behindAHeldFirstCall(eager(4096, 10), "x".repeat(10), held -> {
                held.add(ChunkKind.TEXT, "y");
                held.add(ChunkKind.TEXT, "z");
            });
            lines = log.messages();
        }

        assertThat(lines)
                .containsExactly("Live view of m1 paused: 10 characters wait for the backend; "
                        + "the final reply will be complete");
    }

    @Test
    void whatWaitsIsBoundedWhileTheBackendIsStuck() throws InterruptedException {
        behindAHeldFirstCall(eager(4096, 100), "x".repeat(10), held -> {
            for (int i = 0; i < 50; i++) {
                held.add(ChunkKind.TEXT, "y".repeat(10));
            }
        });

        assertThat(sentText().length()).isLessThanOrEqualTo(100);
        assertThat(batches.stream().flatMap(List::stream).map(Chunk::sequence).distinct().toList())
                .containsExactly(0, 1);
    }

    @Test
    void sequencesStayContiguousAcrossManyFlushes() throws InterruptedException {
        recordBatches(inv -> ok());
        ChunkBatcher batcher = batcher(new ChunkBatcher.Limits(Duration.ofMillis(1), 8, 8, 1 << 20));

        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            String delta = "d" + i + (i % 3 == 0 ? "" : "-");
            expected.append(delta);
            batcher.add(i % 7 == 0 ? ChunkKind.REASONING : ChunkKind.TEXT, delta);
        }
        batcher.finish();

        List<Integer> sequences = batches.stream().flatMap(List::stream).map(Chunk::sequence).distinct().toList();
        for (int i = 0; i < sequences.size(); i++) {
            assertThat(sequences.get(i)).isEqualTo(i);
        }
        assertThat(sentText()).isEqualTo(expected.toString());
    }

    /** A batcher on the manual clock that has sent its first delta, "first", at once. */
    private ChunkBatcher pastTheFirstDelta(Duration interval, int flushBytes) {
        recordBatches(inv -> ok());
        ChunkBatcher batcher = manualBatcher(new ChunkBatcher.Limits(interval, flushBytes, 4096, 1 << 20));
        batcher.add(ChunkKind.TEXT, "first");
        awaitBatches(1);
        return batcher;
    }

    private void awaitBatches(int count) {
        await().atMost(Duration.ofSeconds(5)).until(() -> batches.size() == count);
    }

    /** Waits for call number {@code count} and checks what it sent. */
    private void assertCallSent(int count, Chunk... chunks) {
        awaitBatches(count);
        assertThat(batches.get(count - 1)).containsExactly(chunks);
    }

    @Test
    void deltasAfterTheFirstWaitForTheIntervalThenGoInOneCall() throws InterruptedException {
        ChunkBatcher batcher = pastTheFirstDelta(Duration.ofMillis(100), 4096);

        batcher.add(ChunkKind.TEXT, "b");
        advance(Duration.ofMillis(99));
        batcher.add(ChunkKind.TEXT, "c");
        advance(Duration.ofMillis(1));

        assertCallSent(2, new Chunk(1, ChunkKind.TEXT, "bc"));
        batcher.finish();
        assertThat(batches).hasSize(2);
    }

    @Test
    void aDeltaArrivingWhileABatchWaitsForTheIntervalGoesInTheSameCall() throws InterruptedException {
        ChunkBatcher batcher = pastTheFirstDelta(Duration.ofMillis(100), 4096);
        batcher.add(ChunkKind.TEXT, "b");
        // The sender has looked at the clock for "b": it now waits for the interval.
        await().atMost(Duration.ofSeconds(5)).until(() -> clockReads.get() >= 2);

        batcher.add(ChunkKind.TEXT, "c");
        advance(Duration.ofMillis(100));

        assertCallSent(2, new Chunk(1, ChunkKind.TEXT, "bc"));
        batcher.finish();
    }

    @Test
    void theIntervalCountsFromTheLastFlush() throws InterruptedException {
        ChunkBatcher batcher = pastTheFirstDelta(Duration.ofMillis(100), 4096);
        advance(Duration.ofMillis(100));
        batcher.add(ChunkKind.TEXT, "b");
        awaitBatches(2);

        batcher.add(ChunkKind.TEXT, "c");
        batcher.add(ChunkKind.TEXT, "d");
        advance(Duration.ofMillis(100));

        assertCallSent(3, new Chunk(2, ChunkKind.TEXT, "cd"));
        batcher.finish();
    }

    @Test
    void aBatchGoesOutWhenItReachesTheFlushSizeNotBefore() throws InterruptedException {
        ChunkBatcher batcher = pastTheFirstDelta(Duration.ofHours(1), 10);

        "0123456789".chars().forEach(digit -> batcher.add(ChunkKind.TEXT, Character.toString(digit)));

        assertCallSent(2, new Chunk(1, ChunkKind.TEXT, "0123456789"));
        batcher.finish();
    }

    @Test
    void finishSendsWhatWaitsWithoutWaitingForTheInterval() throws InterruptedException {
        ChunkBatcher batcher = pastTheFirstDelta(Duration.ofHours(1), 4096);
        batcher.add(ChunkKind.TEXT, "b");

        batcher.finish();

        assertThat(batches).hasSize(2);
        assertThat(batches.get(1)).containsExactly(new Chunk(1, ChunkKind.TEXT, "b"));
    }
}
