package com.opencodeworker.infrastructure.opencode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class EventTypeTest {

    @Test
    void readsTheTypeAfterTheEventId() {
        assertThat(EventType.peek("{\"id\":\"evt_1\",\"type\":\"message.part.delta\",\"properties\":{\"type\":\"x\"}}"))
                .contains("message.part.delta");
    }

    @Test
    void readsATypeThatComesFirst() {
        assertThat(EventType.peek("{\"type\":\"server.heartbeat\",\"properties\":{}}")).contains("server.heartbeat");
    }

    @Test
    void knowsNothingWhenTheTypeIsMissingFarOrEscaped() {
        assertThat(EventType.peek("{\"properties\":{}}")).isEqualTo(Optional.empty());
        assertThat(EventType.peek("{\"id\":\"" + "e".repeat(200) + "\",\"type\":\"session.idle\"}")).isEmpty();
        assertThat(EventType.peek("{\"type\":\"a\\\"b\"}")).isEmpty();
        assertThat(EventType.peek("{\"type\":\"unterminated")).isEmpty();
    }
}
