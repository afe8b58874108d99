package com.opencodeworker.infrastructure.opencode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ModelRefTest {
    @Test
    void splitsAtTheFirstSlashOnly() {
        assertThat(ModelRef.parse("openrouter/anthropic/claude-x"))
                .isEqualTo(new ModelRef("openrouter", "anthropic/claude-x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt-4o", "/model", "provider/"})
    void withoutProviderAndModelIsRejectedReadably(String value) {
        assertThatThrownBy(() -> ModelRef.parse(value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("provider/model");
    }
}
