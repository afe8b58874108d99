package com.opencodeworker.infrastructure.opencode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.opencodeworker.domain.MessageId;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PromptIdTest {
    private static final MessageId MESSAGE = new MessageId("jd7abc123");

    @Test
    void isFoundForItsMessageWhateverTimeItWasSent() {
        PromptId early = PromptId.forMessage(MESSAGE, Instant.ofEpochMilli(1_700_000_000_000L));
        PromptId late = PromptId.forMessage(MESSAGE, Instant.ofEpochMilli(1_800_000_000_000L));

        assertThat(early.isFor(MESSAGE)).isTrue();
        assertThat(late.isFor(MESSAGE)).isTrue();
        assertThat(early.value()).startsWith("msg_").endsWith("wjd7abc123").hasSize(17 + MESSAGE.value().length());
    }

    @Test
    void isNotFoundForAnotherMessageEvenWithTheSameEnding() {
        PromptId id = PromptId.forMessage(new MessageId("xjd7abc123"), Instant.now());

        assertThat(id.isFor(MESSAGE)).isFalse();
        assertThat(new PromptId("msg_zzzzzzzzzzzzwjd7abc123").isFor(MESSAGE)).isFalse();
    }

    @Test
    void laterPromptsSortAfterEarlierOnes() {
        PromptId first = PromptId.forMessage(new MessageId("b"), Instant.ofEpochMilli(1_795_000_000_000L));
        PromptId second = PromptId.forMessage(new MessageId("a"), Instant.ofEpochMilli(1_795_000_000_001L));

        assertThat(first.value()).isLessThan(second.value());
    }

    @Test
    void mustStartLikeOpenCodesMessageIds() {
        assertThatThrownBy(() -> new PromptId("user_1")).isInstanceOf(IllegalArgumentException.class);
    }
}
