package com.opencodeworker.presentation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.port.AssistantProcess;
import com.opencodeworker.domain.port.AssistantRuntime;
import com.opencodeworker.domain.port.Reply;
import com.opencodeworker.domain.port.ReplyEvent;
import com.opencodeworker.domain.port.ReplyListener;
import com.opencodeworker.domain.port.ReplyResult;
import com.opencodeworker.testing.LogCapture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mockito.ArgumentCaptor;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ReplyDiagnosticsTest {
    private final AtomicInteger checks = new AtomicInteger();
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1) {
        @Override
        protected void afterExecute(Runnable task, Throwable error) {
            checks.incrementAndGet();
        }
    };
    private final AssistantRuntime runtime = mock(AssistantRuntime.class);
    private final AssistantProcess process = mock(AssistantProcess.class);
    private final CompletableFuture<ReplyResult> result = new CompletableFuture<>();
    private final LogCapture logs = LogCapture.of(ReplyDiagnostics.class);

    @BeforeEach
    void setUp() {
        when(runtime.start(any(), any())).thenReturn(process);
        when(process.prompt(any(), any(), any(), any(), any())).thenReturn(new Reply() {
            @Override
            public void abort() {
            }

            @Override
            public CompletableFuture<ReplyResult> result() {
                return result;
            }
        });
    }

    @AfterEach
    void tearDown() {
        logs.close();
        timer.shutdownNow();
    }

    private Reply prompt(Optional<String> model) {
        return new ReplyDiagnostics(runtime, timer, Duration.ofMillis(100)).start(Path.of("/r/project"), "chat_1")
                .prompt(new OpenCodeSessionId("ses_1"), new MessageId("msg_1"), "hi", model, event -> { });
    }

    /** What the wrapped process was given to report the reply's events to. */
    private ReplyListener eventsOfTheReply() {
        ArgumentCaptor<ReplyListener> listener = ArgumentCaptor.forClass(ReplyListener.class);
        verify(process).prompt(any(), any(), any(), any(), listener.capture());
        return listener.getValue();
    }

    @Test
    void aQuietSpellIsLoggedOnceHoweverLongItLastsAndANewSpellAfterAnEventAgain() {
        prompt(Optional.empty());
        await().atMost(Duration.ofSeconds(5)).until(() -> !logs.messages().isEmpty());
        int checked = checks.get();
        await().atMost(Duration.ofSeconds(5)).until(() -> checks.get() >= checked + 3);
        assertThat(logs.messages()).hasSize(1);

        eventsOfTheReply().onEvent(new ReplyEvent.TextDelta("at last"));

        await().atMost(Duration.ofSeconds(5)).until(() -> logs.messages().size() == 2);
        result.complete(new ReplyResult("done", "", Optional.empty(), Optional.empty(), Optional.empty()));
    }

    @Test
    void anEndedReplyIsNoLongerWatched() {
        prompt(Optional.empty());
        await().atMost(Duration.ofSeconds(5)).until(() -> !logs.messages().isEmpty());

        result.complete(new ReplyResult("done", "", Optional.empty(), Optional.empty(), Optional.empty()));

        await().atMost(Duration.ofSeconds(5)).until(() -> timer.getQueue().isEmpty());
        assertThat(logs.messages()).hasSize(1);
    }

    @Test
    void aQuietReplyIsLoggedAsWaitingWithItsDirectoryAndModel() {
        prompt(Optional.of("anthropic/claude-x"));

        await().atMost(Duration.ofSeconds(5)).until(() -> !logs.messages().isEmpty());
        assertThat(logs.messages().get(0))
                .startsWith("Still waiting for OpenCode's reply to msg_1 in /r/project (provider anthropic, model claude-x):"
                        + " nothing for 0 s");
        result.complete(new ReplyResult("done", "", Optional.empty(), Optional.empty(), Optional.empty()));
    }

    @Test
    void anUnreachableProviderFailsWithALineNamingProviderAndModel() {
        Reply reply = prompt(Optional.of("openai/gpt-x"));

        result.complete(ReplyResult.failed(ReplyResult.Failure.Kind.MODEL_ERROR, "Cannot connect to API: ECONNREFUSED", ""));

        ReplyResult.Failure failure = reply.result().join().failure().orElseThrow();
        assertThat(failure.kind()).isEqualTo(ReplyResult.Failure.Kind.MODEL_ERROR);
        assertThat(failure.message()).startsWith("Cannot reach the model provider (provider openai, model gpt-x):"
                + " Cannot connect to API: ECONNREFUSED; check its API key");
    }

    @Test
    void otherFailuresAndTheDefaultModelAreLeftAsTheyAreOrNamedAsTheDefault() {
        Reply reply = prompt(Optional.empty());

        result.complete(ReplyResult.failed(ReplyResult.Failure.Kind.MODEL_ERROR, "Rate limit exceeded", ""));

        assertThat(reply.result().join().failure().orElseThrow().message()).isEqualTo("Rate limit exceeded");
        assertThat(ReplyDiagnostics.describeModel(Optional.empty())).isEqualTo("OpenCode's default provider and model");
    }
}
