package com.opencodeworker.infrastructure.convex;

import static com.opencodeworker.infrastructure.convex.ConvexBackendFixture.appended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.domain.Chunk;
import com.opencodeworker.domain.ChunkKind;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.Usage;
import com.opencodeworker.domain.WorkItem;
import com.opencodeworker.domain.WorkerId;
import com.opencodeworker.domain.port.Backend.AppendResult;
import com.opencodeworker.domain.port.Backend.Claimed;
import com.opencodeworker.domain.port.Backend.CompletedReply;
import com.opencodeworker.domain.port.Backend.NotClaimed;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.testing.convex.FakeBackend.ChunkView;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The message queue through the adapter: work snapshots, claims, chunks, complete and fail, fencing. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConvexBackendMessagesTest {
    private static final Duration WAIT = Duration.ofSeconds(3);
    private static final String OTHER_INSTANCE = "00000000-0000-4000-8000-000000000000";
    private static final CompletedReply DONE = new CompletedReply("the answer", Optional.empty(), Optional.empty(),
            Optional.empty());

    private ConvexBackendFixture world;
    private ConvexBackend adapter;

    @BeforeEach
    void setUp() {
        world = new ConvexBackendFixture();
        adapter = world.connected();
    }

    @AfterEach
    void tearDown() {
        world.close();
    }

    @Test
    void workListsPendingAndClaimedMessagesOldestFirst() {
        String first = world.send("first");
        world.advance(10);
        String second = world.send("second");
        world.advance(10);
        String done = world.send("done");
        adapter.claim(new MessageId(second));
        complete(done);

        assertThat(adapter.fetchWork()).extracting(item -> item.messageId().value(), WorkItem::status)
                .containsExactly(tuple(first, WorkItem.Status.PENDING),
                        tuple(second, WorkItem.Status.CLAIMED));
    }

    @Test
    void workItemCarriesAllTheWorkerNeeds() {
        world.backend.setOpencodeSession(world.sessionId, "ses_resume");
        String message = world.convex.updateAndGet(() -> world.backend.sendMessage(world.sessionId, "hi", "anthropic/claude"));

        WorkItem item = adapter.fetchWork().get(0);

        assertThat(item).isEqualTo(new WorkItem(new MessageId(message), new SessionId(world.sessionId),
                new WorkerId(world.workerId), "projects/api",
                Optional.of(new OpenCodeSessionId("ses_resume")), "hi", Optional.of("anthropic/claude"),
                ConvexBackendFixture.START, WorkItem.Status.PENDING, Optional.empty(), Optional.empty(), 0, false));
    }

    @Test
    void claimsAndChunksAreDoneOnTheirAnswerWhileTheOutcomeWaitsForTheSubscriptions() {
        MessageId message = new MessageId(world.send("hi"));
        int attempt = ((Claimed) adapter.claim(message)).attempt();
        appended(adapter.appendChunks(message, attempt, List.of(chunk(0, "Hi"))));
        adapter.complete(message, attempt, DONE);

        // Nothing of a claim or a chunk is read back through the work subscription: its answer is enough.
        assertThat(world.lastWait("messages:claim")).isEqualTo(ConvexBackendFixture.Wait.ANSWER);
        assertThat(world.lastWait("messages:appendChunks")).isEqualTo(ConvexBackendFixture.Wait.ANSWER);
        assertThat(world.lastWait("messages:complete")).isEqualTo(ConvexBackendFixture.Wait.SUBSCRIPTIONS);
    }

    @Test
    void claimedWorkItemNamesItsHolderAndLease() {
        String message = world.send("hi");
        adapter.claim(new MessageId(message));

        WorkItem item = adapter.fetchWork().get(0);

        assertThat(item.claimedBy()).contains(world.backend.message(message).claimedBy());
        assertThat(item.leaseExpiresAt()).contains(world.now() + 90_000);
        assertThat(item.attempt()).isEqualTo(1);
    }

    @Test
    void workSubscriptionDeliversANewSnapshotWhenAMessageArrives() {
        AtomicReference<List<WorkItem>> latest = new AtomicReference<>();
        adapter.subscribeWork(latest::set);
        await().atMost(WAIT).until(() -> latest.get() != null && latest.get().isEmpty());

        String message = world.send("hello");

        await().atMost(WAIT).until(() -> latest.get().size() == 1);
        assertThat(latest.get().get(0).messageId().value()).isEqualTo(message);
    }

    @Test
    void workSubscriptionShowsACancelRequest() {
        String message = world.send("hello");
        adapter.claim(new MessageId(message));
        AtomicReference<List<WorkItem>> latest = new AtomicReference<>();
        adapter.subscribeWork(latest::set);

        world.convex.update(() -> world.backend.cancel(message));

        await().atMost(WAIT).until(() -> latest.get() != null && latest.get().size() == 1
                && latest.get().get(0).cancelRequested());
    }

    @Test
    void cancellingAPendingMessageRemovesItFromWork() {
        String message = world.send("hello");

        world.convex.update(() -> world.backend.cancel(message));

        assertThat(adapter.fetchWork()).isEmpty();
        assertThat(world.backend.message(message).terminalOutcomes()).containsExactly("cancelled");
    }

    @Test
    void firstClaimGetsAttemptOne() {
        String message = world.send("hello");

        assertThat(adapter.claim(new MessageId(message))).isEqualTo(new Claimed(1, world.now() + 90_000));
    }

    @Test
    void repeatedClaimBySameInstanceGetsTheSameAttempt() {
        MessageId message = new MessageId(world.send("hello"));
        adapter.claim(message);

        assertThat(adapter.claim(message)).isInstanceOf(Claimed.class).extracting(r -> ((Claimed) r).attempt()).isEqualTo(1);
    }

    @Test
    void claimRetriedAfterALostAnswerIsHarmless() {
        MessageId message = new MessageId(world.send("hello"));
        world.convex.loseNextAnswer("messages:claim");

        assertThatThrownBy(() -> adapter.claim(message)).isInstanceOf(BackendException.Transient.class);
        assertThat(adapter.claim(message)).isEqualTo(new Claimed(1, world.now() + 90_000));
    }

    @Test
    void claimOfAMessageHeldByAnotherInstanceIsTaken() {
        String message = world.send("hello");
        world.backend.claimAs(message, OTHER_INSTANCE);

        assertThat(adapter.claim(new MessageId(message))).isEqualTo(new NotClaimed(NotClaimed.Reason.TAKEN));
    }

    @Test
    void claimOfAnExpiredLeaseGetsTheNextAttempt() {
        String message = world.send("hello");
        world.backend.claimAs(message, OTHER_INSTANCE);
        world.advance(90_000);

        assertThat(adapter.claim(new MessageId(message))).isEqualTo(new Claimed(2, world.now() + 90_000));
    }

    @Test
    void claimOfAnExpiredLeaseWithACancelRequestIsCancelled() {
        String message = world.send("hello");
        world.backend.claimAs(message, OTHER_INSTANCE);
        world.backend.cancel(message);
        world.advance(90_000);

        assertThat(adapter.claim(new MessageId(message))).isEqualTo(new NotClaimed(NotClaimed.Reason.CANCELLED));
        assertThat(world.backend.message(message).status()).isEqualTo("cancelled");
    }

    @Test
    void claimOfAnInterruptedMessageGetsTheNextAttempt() {
        String message = world.send("hello");
        adapter.claim(new MessageId(message));
        ConvexBackend next = world.connected();

        assertThat(next.fetchWork().get(0)).satisfies(item -> {
            assertThat(item.status()).isEqualTo(WorkItem.Status.PENDING);
            assertThat(item.attempt()).isGreaterThanOrEqualTo(1);
        });
        assertThat(next.claim(new MessageId(message))).isEqualTo(new Claimed(2, world.now() + 90_000));
    }

    static Stream<Arguments> unclaimableMessages() {
        return Stream.of(
                Arguments.of("completed", NotClaimed.Reason.DONE),
                Arguments.of("failed", NotClaimed.Reason.DONE),
                Arguments.of("cancelled", NotClaimed.Reason.CANCELLED),
                Arguments.of("missing", NotClaimed.Reason.NOT_FOUND));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("unclaimableMessages")
    void claimRefusesAMessageThatNeedsNoWork(String state, NotClaimed.Reason reason) {
        String message = world.send("hello");
        switch (state) {
            case "completed" -> complete(message);
            case "failed" -> adapter.fail(new MessageId(message), attemptOf(adapter.claim(new MessageId(message))), "x", false);
            case "cancelled" -> world.backend.cancel(message);
            default -> message = "msg_missing";
        }

        assertThat(adapter.claim(new MessageId(message))).isEqualTo(new NotClaimed(reason));
    }

    @Test
    void appendChunksStoresTheChunksInOrder() {
        String message = world.send("hello");
        int attempt = claim(message);

        appended(adapter.appendChunks(new MessageId(message), attempt, List.of(chunk(0, "Hel"), new Chunk(1, ChunkKind.REASONING, "hm"))));
        appended(adapter.appendChunks(new MessageId(message), attempt, List.of(chunk(2, "lo"))));

        assertThat(world.backend.chunks(message, attempt)).containsExactly(new ChunkView(0, "text", "Hel"),
                new ChunkView(1, "reasoning", "hm"), new ChunkView(2, "text", "lo"));
    }

    @Test
    void appendChunksIgnoresASequenceAlreadyStored() {
        String message = world.send("hello");
        int attempt = claim(message);
        appended(adapter.appendChunks(new MessageId(message), attempt, List.of(chunk(0, "first"))));

        appended(adapter.appendChunks(new MessageId(message), attempt, List.of(chunk(0, "again"), chunk(1, "more"))));

        assertThat(world.backend.chunks(message, attempt)).extracting(ChunkView::text).containsExactly("first", "more");
    }

    @Test
    void appendChunksRetriedAfterALostAnswerStoresEachChunkOnce() {
        String message = world.send("hello");
        int attempt = claim(message);
        world.convex.loseNextAnswer("messages:appendChunks");
        List<Chunk> batch = List.of(chunk(0, "a"), chunk(1, "b"));

        assertThatThrownBy(() -> appended(adapter.appendChunks(new MessageId(message), attempt, batch)))
                .isInstanceOf(BackendException.Transient.class);
        appended(adapter.appendChunks(new MessageId(message), attempt, batch));

        assertThat(world.backend.chunks(message, attempt)).extracting(ChunkView::text).containsExactly("a", "b");
    }

    @Test
    void appendChunksRenewsTheLease() {
        String message = world.send("hello");
        int attempt = claim(message);
        world.advance(50_000);

        AppendResult result = appended(adapter.appendChunks(new MessageId(message), attempt, List.of(chunk(0, "x"))));

        assertThat(result).isEqualTo(new AppendResult(world.now() + 90_000, false));
        assertThat(world.backend.message(message).leaseExpiresAt()).isEqualTo(world.now() + 90_000);
    }

    @Test
    void appendChunksReportsACancelRequest() {
        String message = world.send("hello");
        int attempt = claim(message);
        world.backend.cancel(message);

        assertThat(appended(adapter.appendChunks(new MessageId(message), attempt, List.of(chunk(0, "x")))).cancelRequested()).isTrue();
    }

    @Test
    void appendChunksOnAnExpiredLeaseNobodyTookStillWorks() {
        String message = world.send("hello");
        int attempt = claim(message);
        world.advance(200_000);

        appended(adapter.appendChunks(new MessageId(message), attempt, List.of(chunk(0, "late but mine"))));

        assertThat(world.backend.chunks(message, attempt)).hasSize(1);
    }

    @Test
    void appendChunksAfterAnotherInstanceTookTheMessageIsLeaseLost() {
        String message = world.send("hello");
        int attempt = claim(message);
        world.advance(90_000);
        world.backend.claimAs(message, OTHER_INSTANCE);

        assertThatThrownBy(() -> appended(adapter.appendChunks(new MessageId(message), attempt, List.of(chunk(0, "x")))))
                .isInstanceOf(BackendException.LeaseLost.class);
    }

    @Test
    void appendChunksWithAGapIsRejected() {
        String message = world.send("hello");
        int attempt = claim(message);

        assertThatThrownBy(() -> appended(adapter.appendChunks(new MessageId(message), attempt, List.of(chunk(1, "x")))))
                .isInstanceOf(BackendException.Rejected.class);
        assertThat(world.backend.chunks(message, attempt)).isEmpty();
    }

    @Test
    void completeStoresTheWholeReply() {
        String message = world.send("hello");
        int attempt = claim(message);

        adapter.complete(new MessageId(message), attempt, new CompletedReply("Hi!", Optional.of("thinking"),
                Optional.of("[{\"type\":\"text\"}]"), Optional.of(new Usage(12, 34, 0.5))));

        var view = world.backend.message(message);
        assertThat(view.status()).isEqualTo("completed");
        assertThat(List.of(view.content(), view.reasoning(), view.parts())).containsExactly("Hi!", "thinking", "[{\"type\":\"text\"}]");
        assertThat(view.usage()).isEqualTo(new Usage(12, 34, 0.5));
        assertThat(adapter.fetchWork()).isEmpty();
    }

    @Test
    void completeWithoutOptionalPartsSendsNulls() {
        String message = world.send("hello");
        int attempt = claim(message);

        adapter.complete(new MessageId(message), attempt, DONE);

        assertThat(world.lastArgs("messages:complete")).containsEntry("reasoning", null).containsEntry("parts", null)
                .containsEntry("usage", null);
        assertThat(world.backend.message(message).reasoning()).isNull();
    }

    @Test
    void failStoresTheErrorAndWhetherItIsRetryable() {
        String message = world.send("hello");
        int attempt = claim(message);

        adapter.fail(new MessageId(message), attempt, "interrupted by a worker restart", true);

        var view = world.backend.message(message);
        assertThat(view.status()).isEqualTo("failed");
        assertThat(view.error()).isEqualTo("interrupted by a worker restart");
        assertThat(view.retryable()).isTrue();
    }

    @Test
    void aSecondOutcomeOfTheSameAttemptChangesNothing() {
        String message = world.send("hello");
        int attempt = claim(message);
        adapter.complete(new MessageId(message), attempt, DONE);

        adapter.fail(new MessageId(message), attempt, "too late", false);
        adapter.complete(new MessageId(message), attempt, new CompletedReply("other", Optional.empty(), Optional.empty(), Optional.empty()));

        var view = world.backend.message(message);
        assertThat(view.content()).isEqualTo("the answer");
        assertThat(view.error()).isNull();
        assertThat(view.terminalOutcomes()).containsExactly("completed");
    }

    @Test
    void completeRetriedAfterALostAnswerKeepsOneOutcome() {
        String message = world.send("hello");
        int attempt = claim(message);
        world.convex.loseNextAnswer("messages:complete");

        assertThatThrownBy(() -> adapter.complete(new MessageId(message), attempt, DONE))
                .isInstanceOf(BackendException.Transient.class);
        adapter.complete(new MessageId(message), attempt, DONE);

        assertThat(world.backend.message(message).terminalOutcomes()).containsExactly("completed");
    }

    static Stream<Arguments> finishingCalls() {
        return Stream.of(
                Arguments.of("complete", (BiConsumer<Backend, Finish>) (b, f) -> b.complete(f.message(), f.attempt(), DONE)),
                Arguments.of("fail", (BiConsumer<Backend, Finish>) (b, f) -> b.fail(f.message(), f.attempt(), "x", true)),
                Arguments.of("appendChunks", (BiConsumer<Backend, Finish>) (b, f) -> appended(b.appendChunks(f.message(), f.attempt(), List.of()))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("finishingCalls")
    void aWriteForAStaleAttemptIsLeaseLost(String name, BiConsumer<Backend, Finish> call) {
        String message = world.send("hello");
        int stale = claim(message);
        adapter.disconnect();
        adapter.heartbeat(0);
        assertThat(claim(message)).isEqualTo(stale + 1);

        assertThatThrownBy(() -> call.accept(adapter, new Finish(new MessageId(message), stale)))
                .isInstanceOf(BackendException.LeaseLost.class);
        assertThat(world.backend.message(message).status()).isEqualTo("claimed");
    }

    @Test
    void aCancelledClaimedMessageIsCompletedWithWhatItHas() {
        String message = world.send("hello");
        int attempt = claim(message);
        world.backend.cancel(message);

        adapter.complete(new MessageId(message), attempt, new CompletedReply("partial", Optional.empty(), Optional.empty(), Optional.empty()));

        assertThat(world.backend.message(message).terminalOutcomes()).containsExactly("completed");
    }

    @Test
    void disconnectTurnsACancelRequestedClaimIntoCancelled() {
        String message = world.send("hello");
        claim(message);
        world.backend.cancel(message);

        adapter.disconnect();

        assertThat(world.backend.message(message).status()).isEqualTo("cancelled");
        assertThat(adapter.fetchWork()).isEmpty();
    }

    private int claim(String message) {
        return attemptOf(adapter.claim(new MessageId(message)));
    }

    private void complete(String message) {
        adapter.complete(new MessageId(message), claim(message), DONE);
    }

    private static int attemptOf(Backend.ClaimResult result) {
        assertThat(result).isInstanceOf(Claimed.class);
        return ((Claimed) result).attempt();
    }

    private static Chunk chunk(int sequence, String text) {
        return new Chunk(sequence, ChunkKind.TEXT, text);
    }

    record Finish(MessageId message, int attempt) {
    }
}
