package com.opencodeworker.testing.assistant;

import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.Usage;
import com.opencodeworker.domain.port.AssistantException;
import com.opencodeworker.domain.port.AssistantProcess;
import com.opencodeworker.domain.port.AssistantRuntime;
import com.opencodeworker.domain.port.PromptRecord;
import com.opencodeworker.domain.port.Reply;
import com.opencodeworker.domain.port.ReplyEvent;
import com.opencodeworker.domain.port.ReplyListener;
import com.opencodeworker.domain.port.ReplyResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An assistant runtime for use-case tests: replies "Echo: <prompt>" in two deltas, remembers its
 * conversations like OpenCode does on disk, and can hold replies mid-stream until released.
 * All mutable state is guarded by {@code this}.
 */
public final class ScriptedAssistant implements AssistantRuntime {

    /** A prompt as the assistant received it. */
    public record Prompt(Path directory, OpenCodeSessionId session, MessageId message, String text, Optional<String> model) {
    }

    private final AtomicInteger pids = new AtomicInteger(1000);
    private final AtomicInteger sessionIds = new AtomicInteger();
    private final Set<OpenCodeSessionId> conversations = new HashSet<>();
    private final Map<MessageId, PromptRecord> history = new HashMap<>();
    private final List<Prompt> prompts = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();
    private CountDownLatch hold = new CountDownLatch(0);
    private CountDownLatch startGate = new CountDownLatch(0);
    private final AtomicInteger startsWaiting = new AtomicInteger();
    private boolean holdBeforeFirstDelta;
    private RuntimeException startFailure;
    private int failingStarts;
    private int startAttempts;
    private ReplyResult.Failure failure;
    private String reasoning;

    // ---- test controls ----

    /** Replies send their first delta, then wait until {@link #release()}. */
    public synchronized void holdReplies() {
        hold = new CountDownLatch(1);
        holdBeforeFirstDelta = false;
    }

    /** Replies send nothing until {@link #release()}. */
    public synchronized void holdRepliesBeforeAnyText() {
        hold = new CountDownLatch(1);
        holdBeforeFirstDelta = true;
    }

    public synchronized void release() {
        hold.countDown();
    }

    public synchronized void failStartsWith(RuntimeException failure) {
        this.startFailure = failure;
        this.failingStarts = Integer.MAX_VALUE;
    }

    /** The next {@code count} starts fail with {@code failure}, later ones succeed. */
    public synchronized void failNextStarts(int count, RuntimeException failure) {
        this.startFailure = failure;
        this.failingStarts = count;
    }

    /** How many starts were tried, failed ones included. */
    public synchronized int startAttempts() {
        return startAttempts;
    }

    /** Replies start with {@code text} as reasoning, before any answer text. */
    public synchronized void reasonFirst(String text) {
        reasoning = text;
    }

    /** Every later reply ends with this failure after its deltas. */
    public synchronized void failRepliesWith(ReplyResult.Failure failure) {
        this.failure = failure;
    }

    public synchronized void forgetConversations() {
        conversations.clear();
    }

    public synchronized void recordHistory(MessageId message, PromptRecord record) {
        history.put(message, record);
    }

    public synchronized List<Prompt> prompts() {
        return List.copyOf(prompts);
    }

    public synchronized List<Process> started() {
        return List.copyOf(started);
    }

    public synchronized long alive() {
        return started.stream().filter(Process::isAlive).count();
    }

    // ---- AssistantRuntime ----

    @Override
    public void verifyAvailable() {
    }

    /** From now on, starts wait until {@link #releaseStarts()}. */
    public synchronized void holdStarts() {
        startGate = new CountDownLatch(1);
    }

    public synchronized void releaseStarts() {
        startGate.countDown();
    }

    /** How many starts wait for {@link #releaseStarts()}. */
    public int startsWaiting() {
        return startsWaiting.get();
    }

    @Override
    public AssistantProcess start(Path directory, String label) {
        CountDownLatch gate;
        synchronized (this) {
            gate = startGate;
        }
        startsWaiting.incrementAndGet();
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            startsWaiting.decrementAndGet();
        }
        synchronized (this) {
            startAttempts++;
            if (startFailure != null && failingStarts > 0) {
                failingStarts--;
                throw startFailure;
            }
            Process process = new Process(directory, pids.incrementAndGet());
            started.add(process);
            return process;
        }
    }

    /** One scripted process. */
    public final class Process implements AssistantProcess {
        private final Path directory;
        private final long pid;
        private volatile boolean alive = true;
        private final List<ScriptedReply> running = new ArrayList<>();

        Process(Path directory, long pid) {
            this.directory = directory;
            this.pid = pid;
        }

        public Path directory() {
            return directory;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public boolean isAlive() {
            return alive;
        }

        /** Simulates a crash: running replies end with PROCESS_DIED. */
        public void crash() {
            alive = false;
            List<ScriptedReply> replies;
            synchronized (this) {
                replies = List.copyOf(running);
            }
            replies.forEach(r -> r.end(ReplyResult.Failure.Kind.PROCESS_DIED, "OpenCode exited unexpectedly"));
        }

        @Override
        public OpenedSession openSession(Optional<OpenCodeSessionId> resume, String title) {
            synchronized (ScriptedAssistant.this) {
                if (resume.isPresent() && conversations.contains(resume.get())) {
                    return new OpenedSession(resume.get(), false);
                }
                OpenCodeSessionId id = new OpenCodeSessionId("ses_scripted" + sessionIds.incrementAndGet());
                conversations.add(id);
                return new OpenedSession(id, true);
            }
        }

        @Override
        public Reply prompt(OpenCodeSessionId session, MessageId message, String text, Optional<String> model,
                            ReplyListener listener) {
            if (!alive) {
                throw new AssistantException("process is gone");
            }
            CountDownLatch gate;
            boolean silentFirst;
            ReplyResult.Failure endWith;
            String thought;
            synchronized (ScriptedAssistant.this) {
                prompts.add(new Prompt(directory, session, message, text, model));
                history.put(message, new PromptRecord.Unfinished());
                gate = hold;
                silentFirst = holdBeforeFirstDelta;
                endWith = failure;
                thought = reasoning;
            }
            ScriptedReply reply = new ScriptedReply(message);
            synchronized (this) {
                running.add(reply);
            }
            Thread thread = new Thread(() -> {
                if (silentFirst && !await(gate, reply)) {
                    return;
                }
                if (thought != null) {
                    listener.onEvent(new ReplyEvent.ReasoningDelta(thought));
                }
                listener.onEvent(new ReplyEvent.TextDelta("Echo: "));
                reply.produced("Echo: ");
                if (!silentFirst && !await(gate, reply)) {
                    return;
                }
                listener.onEvent(new ReplyEvent.ToolProgress("read notes.txt: completed"));
                listener.onEvent(new ReplyEvent.TextDelta(text));
                reply.produced(text);
                if (endWith != null) {
                    reply.end(endWith.kind(), endWith.message());
                } else {
                    reply.finish();
                }
            }, "scripted-reply");
            thread.setDaemon(true);
            thread.start();
            return reply;
        }

        private boolean await(CountDownLatch gate, ScriptedReply reply) {
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return !reply.result.isDone();
        }

        @Override
        public PromptRecord lookup(OpenCodeSessionId session, MessageId message) {
            synchronized (ScriptedAssistant.this) {
                return history.getOrDefault(message, new PromptRecord.NotSent());
            }
        }

        @Override
        public void close() {
            alive = false;
            List<ScriptedReply> replies;
            synchronized (this) {
                replies = List.copyOf(running);
            }
            replies.forEach(r -> r.end(ReplyResult.Failure.Kind.ABORTED, "Aborted"));
        }
    }

    private final class ScriptedReply implements Reply {
        private final MessageId message;
        private final CompletableFuture<ReplyResult> result = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();

        ScriptedReply(MessageId message) {
            this.message = message;
        }

        synchronized void produced(String delta) {
            text.append(delta);
        }

        synchronized void finish() {
            ReplyResult done = new ReplyResult(text.toString(), "", Optional.of("[]"),
                    Optional.of(new Usage(10, 5, 0.0)), Optional.empty());
            synchronized (ScriptedAssistant.this) {
                history.put(message, new PromptRecord.Finished(done));
            }
            result.complete(done);
        }

        synchronized void end(ReplyResult.Failure.Kind kind, String why) {
            result.complete(new ReplyResult(text.toString(), "", Optional.empty(), Optional.empty(),
                    Optional.of(new ReplyResult.Failure(kind, why))));
        }

        @Override
        public void abort() {
            end(ReplyResult.Failure.Kind.ABORTED, "Aborted");
        }

        @Override
        public CompletableFuture<ReplyResult> result() {
            return result;
        }
    }
}
