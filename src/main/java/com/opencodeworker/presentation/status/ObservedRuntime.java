package com.opencodeworker.presentation.status;

import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.port.AssistantProcess;
import com.opencodeworker.domain.port.AssistantRuntime;
import com.opencodeworker.domain.port.PromptRecord;
import com.opencodeworker.domain.port.Reply;
import com.opencodeworker.domain.port.ReplyListener;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** The assistant runtime, telling the {@link StatusBoard} which OpenCode process serves which session and what it replies to. */
public final class ObservedRuntime implements AssistantRuntime {
    private final AssistantRuntime runtime;
    private final StatusBoard board;

    public ObservedRuntime(AssistantRuntime runtime, StatusBoard board) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.board = Objects.requireNonNull(board, "board");
    }

    @Override
    public void verifyAvailable() {
        runtime.verifyAvailable();
    }

    @Override
    public AssistantProcess start(Path directory, String label) {
        AssistantProcess process = runtime.start(directory, label);
        board.processStarted(label, directory.toString(), process.pid());
        return new Observed(process, label);
    }

    private final class Observed implements AssistantProcess {
        private final AssistantProcess process;
        private final String session;

        Observed(AssistantProcess process, String session) {
            this.process = process;
            this.session = session;
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public OpenedSession openSession(Optional<OpenCodeSessionId> resume, String title) {
            return process.openSession(resume, title);
        }

        @Override
        public Reply prompt(OpenCodeSessionId openCodeSession, MessageId message, String text, Optional<String> model,
                            ReplyListener listener) {
            board.replyStarted(session, message.value(), model);
            try {
                Reply reply = process.prompt(openCodeSession, message, text, model, listener);
                reply.result().whenComplete((result, error) -> board.replyEnded(session, message.value()));
                return reply;
            } catch (RuntimeException e) {
                board.replyEnded(session, message.value());
                throw e;
            }
        }

        @Override
        public PromptRecord lookup(OpenCodeSessionId openCodeSession, MessageId message) {
            return process.lookup(openCodeSession, message);
        }

        @Override
        public void close() {
            try {
                process.close();
            } finally {
                board.processClosed(session, process.pid());
            }
        }
    }
}
