package com.opencodeworker.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.opencodeworker.application.ActiveMessage.StopReason;
import com.opencodeworker.domain.Chunk;
import com.opencodeworker.domain.ChunkKind;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.SessionStatus;
import com.opencodeworker.domain.Usage;
import com.opencodeworker.domain.WorkItem;
import com.opencodeworker.domain.WorkerId;
import com.opencodeworker.domain.port.AssistantException;
import com.opencodeworker.domain.port.AssistantProcess;
import com.opencodeworker.domain.port.AssistantRuntime;
import com.opencodeworker.domain.port.AssistantStartTimeoutException;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.domain.port.PromptRecord;
import com.opencodeworker.domain.port.Reply;
import com.opencodeworker.domain.port.ReplyResult;
import com.opencodeworker.infrastructure.filesystem.DirectoriesUnderRoot;
import com.opencodeworker.testing.assistant.ScriptedAssistant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProcessMessageTest {
    private static final MessageId MESSAGE = new MessageId("m1");
    private static final SessionId SESSION = new SessionId("s1");
    private static final WorkerId WORKER = new WorkerId("w1");

    @TempDir
    Path root;
    private final Backend backend = mock(Backend.class);
    private final ScriptedAssistant assistant = new ScriptedAssistant();
    private final WorkerLifecycle lifecycle = new WorkerLifecycle();
    private final List<Chunk> chunks = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private ProcessMessage processMessage;
    private SessionProcesses processes;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectory(root.resolve("project"));
        processes = new SessionProcesses(assistant, Instant::now, 4, s -> { });
        processMessage = processMessageOn(processes);
        when(backend.claim(MESSAGE)).thenReturn(new Backend.Claimed(1, Long.MAX_VALUE));
        when(backend.appendChunks(eq(MESSAGE), anyInt(), any())).thenAnswer(inv -> {
            synchronized (chunks) {
                chunks.addAll(inv.getArgument(2));
            }
            return CompletableFuture.completedFuture(new Backend.AppendResult(Long.MAX_VALUE, false));
        });
    }

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private ProcessMessage processMessageOn(SessionProcesses sessionProcesses) throws IOException {
        Retry retry = new Retry(RetryBackoff.of(Duration.ofMillis(1), Duration.ofMillis(2)), d -> { });
        return new ProcessMessage(backend, sessionProcesses, new OpenCodeSessions(),
                new DirectoriesUnderRoot(root.toRealPath()), Instant::now, retry, timer,
                new ChunkBatcher.Limits(Duration.ofMillis(1), 4096, 4096, 1 << 20), lifecycle);
    }

    private static WorkItem item(String directory, Optional<OpenCodeSessionId> openCode, int attempt,
                                 Optional<String> model) {
        return new WorkItem(MESSAGE, SESSION, WORKER, directory, openCode, "hi", model, 1L,
                WorkItem.Status.PENDING, Optional.empty(), Optional.empty(), attempt, false);
    }

    private static WorkItem item() {
        return item("project", Optional.empty(), 0, Optional.empty());
    }

    private String streamed() {
        synchronized (chunks) {
            return chunks.stream().distinct().filter(c -> c.kind() == ChunkKind.TEXT).map(Chunk::text)
                    .collect(Collectors.joining());
        }
    }

    @Test
    void aClaimedMessageIsStreamedThenCompletedWithTheWholeReply() throws InterruptedException {
        Outcome outcome = processMessage.process(item(), new ActiveMessage(MESSAGE));

        assertThat(outcome).isEqualTo(Outcome.DONE);
        assertThat(streamed()).isEqualTo("Echo: hi");
        assertThat(chunks).anyMatch(c -> c.kind() == ChunkKind.TOOL && c.text().contains("read notes.txt"));
        verify(backend).complete(eq(MESSAGE), eq(1), argThat(r -> r.content().equals("Echo: hi")
                && r.reasoning().isEmpty() && r.usage().equals(Optional.of(new Usage(10, 5, 0.0)))
                && r.parts().equals(Optional.of("[]"))));
        assertThat(assistant.prompts()).singleElement().satisfies(p -> {
            assertThat(p.directory()).isEqualTo(root.toRealPath().resolve("project"));
            assertThat(p.message()).isEqualTo(MESSAGE);
        });
    }

    @Test
    void aNewConversationIsStoredAsTheSessionsResumeKey() throws InterruptedException {
        processMessage.process(item(), new ActiveMessage(MESSAGE));

        verify(backend).updateSession(SESSION, Optional.of(SessionStatus.ACTIVE),
                Optional.of(new OpenCodeSessionId("ses_scripted1")));
    }

    @Test
    void theStoredConversationIsContinuedWithoutStoringItAgain() throws InterruptedException {
        OpenCodeSessionId existing = assistant.start(root, "x").openSession(Optional.empty(), "t").id();

        processMessage.process(item("project", Optional.of(existing), 0, Optional.empty()), new ActiveMessage(MESSAGE));

        verify(backend).updateSession(SESSION, Optional.of(SessionStatus.ACTIVE), Optional.empty());
        assertThat(assistant.prompts()).singleElement().extracting(ScriptedAssistant.Prompt::session)
                .isEqualTo(existing);
    }

    @Test
    void reasoningIsStreamedAsReasoningChunksApartFromTheAnswer() throws InterruptedException {
        assistant.reasonFirst("Let me think.");

        processMessage.process(item(), new ActiveMessage(MESSAGE));

        synchronized (chunks) {
            assertThat(chunks).filteredOn(c -> c.kind() == ChunkKind.REASONING).extracting(Chunk::text)
                    .containsExactly("Let me think.");
        }
        assertThat(streamed()).isEqualTo("Echo: hi");
    }

    @Test
    void aFurtherMessageOfTheSessionGoesToTheOpenConversationWithoutOpeningItAgain() throws InterruptedException {
        processMessage.process(item(), new ActiveMessage(MESSAGE));

        processMessage.process(item(), new ActiveMessage(MESSAGE));

        assertThat(assistant.started()).hasSize(1);
        assertThat(assistant.prompts()).extracting(ScriptedAssistant.Prompt::session).map(Object::toString)
                .containsExactly("ses_scripted1", "ses_scripted1");
        verify(backend).updateSession(any(), any(), any());
    }

    @Test
    void theSessionsProcessTurnsIdleOnceTheMessageIsDone() throws InterruptedException {
        processMessage.process(item(), new ActiveMessage(MESSAGE));

        assertThat(processes.stopIdle(Duration.ZERO)).containsExactly(SESSION);
    }

    @ParameterizedTest
    @CsvSource({"TAKEN, RELEASED", "DONE, DONE", "CANCELLED, DONE", "NOT_FOUND, DONE"})
    void aMessageNotClaimedIsLeftUntouchedAndReleasedOnlyWhenAnotherInstanceHasIt(
            Backend.NotClaimed.Reason reason, Outcome expected) throws InterruptedException {
        when(backend.claim(MESSAGE)).thenReturn(new Backend.NotClaimed(reason));

        assertThat(processMessage.process(item(), new ActiveMessage(MESSAGE))).isEqualTo(expected);
        assertThat(assistant.started()).isEmpty();
    }

    @Test
    void aClaimStillFailingWhenTheWorkerIsForcedToStopIsLeftForLater() throws InterruptedException {
        lifecycle.force();
        when(backend.claim(MESSAGE)).thenThrow(new BackendException.Transient("socket dropped", null));

        assertThat(processMessage.process(item(), new ActiveMessage(MESSAGE))).isEqualTo(Outcome.RELEASED);
        assertThat(assistant.started()).isEmpty();
    }

    @Test
    void aClaimRefusedForGoodIsNotTakenAgain() throws InterruptedException {
        when(backend.claim(MESSAGE)).thenThrow(new BackendException.Unauthorized("not one of this machine's"));

        assertThat(processMessage.process(item(), new ActiveMessage(MESSAGE))).isEqualTo(Outcome.DONE);
        assertThat(assistant.started()).isEmpty();
    }

    @Test
    void aWorkerDirectoryOutsideTheRootFailsTheMessageForGood() throws InterruptedException {
        Outcome outcome = processMessage.process(item("../elsewhere", Optional.empty(), 0, Optional.empty()),
                new ActiveMessage(MESSAGE));

        assertThat(outcome).isEqualTo(Outcome.DONE);
        verify(backend).fail(eq(MESSAGE), eq(1), argThat(e -> e.startsWith("Directory")), eq(false));
        assertThat(assistant.started()).isEmpty();
    }

    @Test
    void anInterruptedMessageWhoseReplyFinishedIsCompletedFromHistoryWithoutPromptingAgain()
            throws InterruptedException {
        OpenCodeSessionId existing = assistant.start(root, "x").openSession(Optional.empty(), "t").id();
        ReplyResult earlier = new ReplyResult("the earlier answer", "", Optional.empty(), Optional.empty(),
                Optional.empty());
        assistant.recordHistory(MESSAGE, new PromptRecord.Finished(earlier));
        when(backend.claim(MESSAGE)).thenReturn(new Backend.Claimed(2, Long.MAX_VALUE));

        Outcome outcome = processMessage.process(item("project", Optional.of(existing), 1, Optional.empty()),
                new ActiveMessage(MESSAGE));

        assertThat(outcome).isEqualTo(Outcome.DONE);
        verify(backend).complete(eq(MESSAGE), eq(2), argThat(r -> r.content().equals("the earlier answer")));
        assertThat(assistant.prompts()).isEmpty();
    }

    @Test
    void anInterruptedMessageWhoseReplyWasCutOffFailsRetryableWithoutPromptingAgain() throws InterruptedException {
        OpenCodeSessionId existing = assistant.start(root, "x").openSession(Optional.empty(), "t").id();
        assistant.recordHistory(MESSAGE, new PromptRecord.Unfinished());
        when(backend.claim(MESSAGE)).thenReturn(new Backend.Claimed(2, Long.MAX_VALUE));

        Outcome outcome = processMessage.process(item("project", Optional.of(existing), 1, Optional.empty()),
                new ActiveMessage(MESSAGE));

        assertThat(outcome).isEqualTo(Outcome.DONE);
        verify(backend).fail(MESSAGE, 2, "interrupted by a worker restart", true);
        assertThat(assistant.prompts()).isEmpty();
    }

    @Test
    void anInterruptedMessageThatWasNeverSentIsPromptedNow() throws InterruptedException {
        OpenCodeSessionId existing = assistant.start(root, "x").openSession(Optional.empty(), "t").id();
        when(backend.claim(MESSAGE)).thenReturn(new Backend.Claimed(2, Long.MAX_VALUE));

        processMessage.process(item("project", Optional.of(existing), 1, Optional.empty()), new ActiveMessage(MESSAGE));

        assertThat(assistant.prompts()).hasSize(1);
        verify(backend).complete(eq(MESSAGE), eq(2), argThat(r -> r.content().equals("Echo: hi")));
    }

    @Test
    void cancelMidReplyCompletesWithThePartialText() throws Exception {
        assistant.holdReplies();
        ActiveMessage active = new ActiveMessage(MESSAGE);
        CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(() -> run(item(), active));
        await().atMost(Duration.ofSeconds(5)).until(() -> streamed().equals("Echo: "));

        active.stop(StopReason.CANCELLED);

        assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo(Outcome.DONE);
        verify(backend).complete(eq(MESSAGE), eq(1), argThat(r -> r.content().equals("Echo: ")));
        assistant.release();
    }

    @Test
    void anInterruptWhileWaitingForTheReplyAbortsIt() throws Exception {
        // The scripted assistant does not show aborts: the process and its reply are mocked ports here.
        Reply reply = mock(Reply.class);
        when(reply.result()).thenReturn(new CompletableFuture<>());
        AssistantProcess process = mock(AssistantProcess.class);
        when(process.isAlive()).thenReturn(true);
        when(process.openSession(any(), any()))
                .thenReturn(new AssistantProcess.OpenedSession(new OpenCodeSessionId("ses_1"), true));
        when(process.prompt(any(), any(), any(), any(), any())).thenAnswer(inv -> {
            Thread.currentThread().interrupt();
            return reply;
        });
        AssistantRuntime runtime = mock(AssistantRuntime.class);
        when(runtime.start(any(), any())).thenReturn(process);
        ProcessMessage onMocks = processMessageOn(new SessionProcesses(runtime, Instant::now, 4, s -> { }));

        assertThatThrownBy(() -> onMocks.process(item(), new ActiveMessage(MESSAGE)))
                .isInstanceOf(InterruptedException.class);
        verify(reply).abort();
    }

    @Test
    void aLostLeaseStopsTheReplyAndWritesNothingMore() throws Exception {
        when(backend.appendChunks(eq(MESSAGE), anyInt(), any()))
                .thenAnswer(inv -> CompletableFuture.failedFuture(new BackendException.LeaseLost("moved")));

        Outcome outcome = processMessage.process(item(), new ActiveMessage(MESSAGE));

        assertThat(outcome).isEqualTo(Outcome.DONE);
        verify(backend, never()).complete(any(), anyInt(), any());
        verify(backend, never()).fail(any(), anyInt(), anyString(), anyBoolean());
    }

    @Test
    void beingSupersededWhileStreamingStopsTheReplyWritesNothingMoreAndEndsTheWorker() throws Exception {
        when(backend.appendChunks(eq(MESSAGE), anyInt(), any()))
                .thenAnswer(inv -> CompletableFuture.failedFuture(new BackendException.Superseded("another instance")));
        assistant.holdReplies();
        ActiveMessage active = new ActiveMessage(MESSAGE);

        CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(() -> run(item(), active));

        assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo(Outcome.DONE);
        assertThat(lifecycle.superseded()).isTrue();
        verify(backend, never()).complete(any(), anyInt(), any());
        verify(backend, never()).fail(any(), anyInt(), anyString(), anyBoolean());
        assistant.release();
    }

    @Test
    void aStopAskedForThroughTheBackendStopsTheReplyAndCompletesIt() throws Exception {
        when(backend.appendChunks(eq(MESSAGE), anyInt(), any()))
                .thenAnswer(inv -> CompletableFuture.completedFuture(new Backend.AppendResult(Long.MAX_VALUE, true)));
        assistant.holdReplies();
        ActiveMessage active = new ActiveMessage(MESSAGE);

        CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(() -> run(item(), active));

        assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo(Outcome.DONE);
        assertThat(active.stopReason()).contains(StopReason.CANCELLED);
        verify(backend).complete(eq(MESSAGE), eq(1), any());
        assistant.release();
    }

    @ParameterizedTest
    @CsvSource({"PROCESS_DIED, true", "MODEL_ERROR, true", "OTHER, false"})
    void aFailedReplyFailsTheMessageRetryablyOnlyWhenATryAgainCanHelp(ReplyResult.Failure.Kind kind,
                                                                        boolean retryable) throws Exception {
        assistant.failRepliesWith(new ReplyResult.Failure(kind, "went wrong"));

        processMessage.process(item(), new ActiveMessage(MESSAGE));

        verify(backend).fail(MESSAGE, 1, "went wrong", retryable);
    }

    @Test
    void anUnknownModelFailsTheMessageForGood() throws Exception {
        assistant.failRepliesWith(new ReplyResult.Failure(ReplyResult.Failure.Kind.UNKNOWN_MODEL,
                "Unknown model \"nope/x\""));

        processMessage.process(item("project", Optional.empty(), 0, Optional.of("nope/x")), new ActiveMessage(MESSAGE));

        verify(backend).fail(MESSAGE, 1, "Unknown model \"nope/x\"", false);
        assertThat(assistant.prompts()).singleElement().extracting(ScriptedAssistant.Prompt::model)
                .isEqualTo(Optional.of("nope/x"));
    }

    @Test
    void anOpenCodeThatDoesNotStartFailsTheMessageRetryably() throws Exception {
        assistant.failStartsWith(new AssistantException("exited with code 1: boom"));

        Outcome outcome = processMessage.process(item(), new ActiveMessage(MESSAGE));

        assertThat(outcome).isEqualTo(Outcome.DONE);
        verify(backend).fail(MESSAGE, 1, "OpenCode could not start: exited with code 1: boom", true);
    }

    @Test
    void anOpenCodeThatDiesBeforeThePromptFailsTheMessageRetryably() throws Exception {
        doAnswer(inv -> {
            assistant.started().get(0).crash();
            return null;
        }).when(backend).updateSession(any(), any(), any());

        Outcome outcome = processMessage.process(item(), new ActiveMessage(MESSAGE));

        assertThat(outcome).isEqualTo(Outcome.DONE);
        verify(backend).fail(MESSAGE, 1, "OpenCode failed: process is gone", true);
    }

    @Test
    void aSlowStartIsTriedAgainAndTheMessageIsAnswered() throws Exception {
        assistant.failNextStarts(ProcessMessage.START_TRIES - 1,
                new AssistantStartTimeoutException("did not start within 20 s"));

        processMessage.process(item(), new ActiveMessage(MESSAGE));

        verify(backend).complete(eq(MESSAGE), eq(1), any());
        verify(backend, never()).fail(any(), anyInt(), any(), anyBoolean());
        assertThat(assistant.startAttempts()).isEqualTo(ProcessMessage.START_TRIES);
    }

    @Test
    void aStartThatStaysTooSlowFailsTheMessageRetryably() throws Exception {
        assistant.failStartsWith(new AssistantStartTimeoutException("did not start within 20 s"));

        processMessage.process(item(), new ActiveMessage(MESSAGE));

        verify(backend).fail(MESSAGE, 1, "OpenCode could not start: did not start within 20 s", true);
        assertThat(assistant.startAttempts()).isEqualTo(ProcessMessage.START_TRIES);
    }

    @Test
    void beingSupersededAtClaimEndsTheWorker() throws Exception {
        when(backend.claim(MESSAGE)).thenThrow(new BackendException.Superseded("another instance"));

        Outcome outcome = processMessage.process(item(), new ActiveMessage(MESSAGE));

        assertThat(outcome).isEqualTo(Outcome.DONE);
        assertThat(lifecycle.superseded()).isTrue();
        assertThat(assistant.started()).isEmpty();
    }

    @Test
    void aShutdownBeforeAnyTextFailsRetryablyInsteadOfCompletingEmpty() throws Exception {
        ActiveMessage active = new ActiveMessage(MESSAGE);
        active.stop(StopReason.SHUTDOWN);
        assistant.holdRepliesBeforeAnyText();

        processMessage.process(item(), active);

        verify(backend).fail(MESSAGE, 1, "stopped by a worker shutdown before any reply", true);
        verify(backend, never()).complete(any(), anyInt(), any());
        assistant.release();
    }

    @Test
    void aLeaseLostAtClaimReleasesTheMessage() throws InterruptedException {
        when(backend.claim(MESSAGE)).thenThrow(new BackendException.LeaseLost("moved"));

        assertThat(processMessage.process(item(), new ActiveMessage(MESSAGE))).isEqualTo(Outcome.RELEASED);
        assertThat(lifecycle.superseded()).isFalse();
    }

    @Test
    void aRefusedClaimNeitherFailsTheMessageNorStopsTheWorker() throws InterruptedException {
        when(backend.claim(MESSAGE)).thenThrow(new BackendException.Rejected("no"));

        assertThat(processMessage.process(item(), new ActiveMessage(MESSAGE))).isEqualTo(Outcome.DONE);
        assertThat(lifecycle.superseded()).isFalse();
        verify(backend, never()).fail(any(), anyInt(), anyString(), anyBoolean());
    }

    @Test
    void aStoppingWorkerReleasesTheMessageWithoutFailingIt() throws InterruptedException {
        processes.closeAll();

        assertThat(processMessage.process(item(), new ActiveMessage(MESSAGE))).isEqualTo(Outcome.RELEASED);
        verify(backend, never()).fail(any(), anyInt(), anyString(), anyBoolean());
        assertThat(assistant.started()).isEmpty();
    }

    @Test
    void aMessageQueuedBeforeTheConversationWasStoredContinuesItAfterARestart() throws InterruptedException {
        processMessage.process(item(), new ActiveMessage(MESSAGE));
        assistant.started().get(0).crash();

        processMessage.process(item(), new ActiveMessage(MESSAGE));

        assertThat(assistant.started()).hasSize(2);
        assertThat(assistant.prompts()).extracting(ScriptedAssistant.Prompt::session).map(Object::toString)
                .containsExactly("ses_scripted1", "ses_scripted1");
        verify(backend).updateSession(SESSION, Optional.of(SessionStatus.ACTIVE), Optional.empty());
    }

    private Outcome run(WorkItem item, ActiveMessage active) {
        try {
            return processMessage.process(item, active);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
