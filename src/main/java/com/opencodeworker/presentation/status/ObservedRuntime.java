package com.opencodeworker.presentation.status;

import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.port.AssistantProcess;
import com.opencodeworker.domain.port.AssistantRuntime;
import com.opencodeworker.domain.port.Reply;
import com.opencodeworker.domain.port.ReplyListener;
import com.opencodeworker.presentation.ForwardingAssistantProcess;
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

    private final class Observed extends ForwardingAssistantProcess {
        private final String session;

        Observed(AssistantProcess process, String session) {
            super(process);
            this.session = session;
        }

        @Override
        public Reply prompt(OpenCodeSessionId openCodeSession, MessageId message, String text, Optional<String> model,
                            ReplyListener listener) {
            board.replyStarted(session, message.value(), model);
            try {
                Reply reply = delegate().prompt(openCodeSession, message, text, model, listener);
                reply.result().whenComplete((result, error) -> board.replyEnded(session, message.value()));
                return reply;
            } catch (RuntimeException e) {
                board.replyEnded(session, message.value());
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                super.close();
            } finally {
                board.processClosed(session, pid());
            }
        }
    }
}
