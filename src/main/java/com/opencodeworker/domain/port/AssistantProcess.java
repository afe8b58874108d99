package com.opencodeworker.domain.port;

import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import java.util.Optional;

/**
 * One running assistant server for one directory. {@link #close()} aborts running turns and
 * stops the whole process tree; it is idempotent. Implementations are thread-safe.
 */
public interface AssistantProcess extends AutoCloseable {

    /** The operating-system process id of the server. */
    long pid();

    /** False once the process has exited, expectedly or not. */
    boolean isAlive();

    /**
     * Continues the stored conversation if it still exists in this directory, else creates a new one.
     *
     * @param resume the stored OpenCode session id, if any
     * @param title  the title for a newly created session
     */
    OpenedSession openSession(Optional<OpenCodeSessionId> resume, String title);

    /**
     * Sends {@code message}'s prompt under an id made from the message id, so that {@link #lookup} finds
     * it later, and streams the reply to {@code listener}; returns at once.
     * The listener is called from one thread at a time, in order.
     */
    Reply prompt(OpenCodeSessionId session, MessageId message, String text, Optional<String> model,
                 ReplyListener listener);

    /**
     * Looks in the session's history for the prompt of {@code message} (sent by {@link #prompt} from any
     * worker instance) and its reply.
     */
    PromptRecord lookup(OpenCodeSessionId session, MessageId message);

    @Override
    void close();

    /** The conversation a session continues; {@code created} is true when the stored one was gone (or none was stored). */
    record OpenedSession(OpenCodeSessionId id, boolean created) {
    }
}
