package com.opencodeworker.application;

import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.SessionId;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The OpenCode session this instance last opened for each chat session, kept until the backend's
 * work items carry it too: a message queued from an older snapshot still names the conversation
 * that was replaced, and must continue the new one. All mutable state is guarded by {@code this}.
 */
public final class OpenCodeSessions {
    private final Map<SessionId, OpenCodeSessionId> ahead = new HashMap<>();

    /**
     * The OpenCode session {@code session} continues: the one opened here if the backend does not know
     * it yet, else {@code fromBackend}.
     */
    public synchronized Optional<OpenCodeSessionId> current(SessionId session, Optional<OpenCodeSessionId> fromBackend) {
        OpenCodeSessionId opened = ahead.get(session);
        if (opened != null && fromBackend.filter(opened::equals).isPresent()) {
            ahead.remove(session);
        }
        return Optional.ofNullable(opened).or(() -> fromBackend);
    }

    /** {@code session} continues {@code openCodeSession} from now on. */
    public synchronized void opened(SessionId session, OpenCodeSessionId openCodeSession) {
        ahead.put(Objects.requireNonNull(session, "session"), Objects.requireNonNull(openCodeSession, "openCodeSession"));
    }

    /** How many chat sessions are ahead of the backend; for tests. */
    synchronized int size() {
        return ahead.size();
    }
}
