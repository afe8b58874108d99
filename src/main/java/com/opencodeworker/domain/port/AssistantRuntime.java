package com.opencodeworker.domain.port;

import java.nio.file.Path;

/**
 * Starts assistant processes (OpenCode servers), one per chat session, each bound to one
 * directory. Implementations are thread-safe.
 */
public interface AssistantRuntime {

    /**
     * Checks at start that processes can be started at all (the binary exists and runs).
     *
     * @throws com.opencodeworker.domain.WorkerException with exit code 2 and an actionable message
     */
    void verifyAvailable();

    /**
     * Starts a process whose working directory is {@code directory} and waits until it serves.
     *
     * @param label a short name for logs (e.g. the chat session id)
     * @throws AssistantException when it does not start; the message has the last lines of its output
     */
    AssistantProcess start(Path directory, String label);
}
