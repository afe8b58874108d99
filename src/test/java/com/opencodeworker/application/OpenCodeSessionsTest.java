package com.opencodeworker.application;

import static org.assertj.core.api.Assertions.assertThat;

import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.SessionId;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OpenCodeSessionsTest {
    private static final SessionId CHAT = new SessionId("chat");
    private static final OpenCodeSessionId OLD = new OpenCodeSessionId("ses_old");
    private static final OpenCodeSessionId NEW = new OpenCodeSessionId("ses_new");

    private final OpenCodeSessions sessions = new OpenCodeSessions();

    @Test
    void withoutAnOpenedSessionTheBackendsIsCurrent() {
        assertThat(sessions.current(CHAT, Optional.of(OLD))).contains(OLD);
        assertThat(sessions.current(CHAT, Optional.empty())).isEmpty();
    }

    @Test
    void theSessionOpenedHereWinsOverAStaleOneFromTheBackend() {
        sessions.opened(CHAT, NEW);

        assertThat(sessions.current(CHAT, Optional.of(OLD))).contains(NEW);
        assertThat(sessions.current(CHAT, Optional.empty())).contains(NEW);
        assertThat(sessions.size()).isEqualTo(1);
    }

    @Test
    void itIsForgottenOnceTheBackendCarriesIt() {
        sessions.opened(CHAT, NEW);

        assertThat(sessions.current(CHAT, Optional.of(NEW))).contains(NEW);

        assertThat(sessions.size()).isZero();
        assertThat(sessions.current(CHAT, Optional.of(NEW))).contains(NEW);
    }

    @Test
    void otherChatSessionsAreNotAffected() {
        sessions.opened(CHAT, NEW);

        assertThat(sessions.current(new SessionId("other"), Optional.of(OLD))).contains(OLD);
    }
}
