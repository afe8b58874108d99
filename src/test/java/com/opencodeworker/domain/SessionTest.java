package com.opencodeworker.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SessionTest {
    private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private static Session session(SessionStatus status) {
        return new Session(new SessionId("s1"), new WorkerId("w1"), status, Optional.empty(), START);
    }

    @Test
    void activeSessionIsNotIdleBeforeTheTimeout() {
        assertThat(session(SessionStatus.ACTIVE).isIdle(START.plus(TIMEOUT).minusMillis(1), TIMEOUT)).isFalse();
    }

    @Test
    void activeSessionIsIdleExactlyAtTheTimeout() {
        assertThat(session(SessionStatus.ACTIVE).isIdle(START.plus(TIMEOUT), TIMEOUT)).isTrue();
    }

    @Test
    void idleOrClosedSessionIsNeverIdleAgain() {
        Instant later = START.plus(Duration.ofDays(1));

        assertThat(session(SessionStatus.IDLE).isIdle(later, TIMEOUT)).isFalse();
        assertThat(session(SessionStatus.CLOSED).isIdle(later, TIMEOUT)).isFalse();
    }

    @Test
    void touchingMakesTheSessionActiveAndResetsTheTimer() {
        Session touched = session(SessionStatus.IDLE).touchedAt(START.plus(TIMEOUT));

        assertThat(touched.status()).isEqualTo(SessionStatus.ACTIVE);
        assertThat(touched.isIdle(START.plus(TIMEOUT).plus(TIMEOUT).minusMillis(1), TIMEOUT)).isFalse();
    }

    @Test
    void idleKeepsTheOpenCodeSession() {
        OpenCodeSessionId openCode = new OpenCodeSessionId("ses_1");

        Session idle = session(SessionStatus.ACTIVE).withOpenCodeSession(openCode).idle();

        assertThat(idle.status()).isEqualTo(SessionStatus.IDLE);
        assertThat(idle.openCodeSessionId()).contains(openCode);
    }
}
