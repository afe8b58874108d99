package com.opencodeworker.presentation;

import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.port.AssistantProcess;
import com.opencodeworker.domain.port.PromptRecord;
import com.opencodeworker.domain.port.Reply;
import com.opencodeworker.domain.port.ReplyListener;
import java.util.Objects;
import java.util.Optional;

/**
 * An assistant process that passes every call to another one; the wrappers that watch a process
 * (diagnostics, the status board) override only what they watch.
 */
public abstract class ForwardingAssistantProcess implements AssistantProcess {
    private final AssistantProcess delegate;

    protected ForwardingAssistantProcess(AssistantProcess delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    protected final AssistantProcess delegate() {
        return delegate;
    }

    @Override
    public long pid() {
        return delegate.pid();
    }

    @Override
    public boolean isAlive() {
        return delegate.isAlive();
    }

    @Override
    public OpenedSession openSession(Optional<OpenCodeSessionId> resume, String title) {
        return delegate.openSession(resume, title);
    }

    @Override
    public Reply prompt(OpenCodeSessionId session, MessageId message, String text, Optional<String> model,
                        ReplyListener listener) {
        return delegate.prompt(session, message, text, model, listener);
    }

    @Override
    public PromptRecord lookup(OpenCodeSessionId session, MessageId message) {
        return delegate.lookup(session, message);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
