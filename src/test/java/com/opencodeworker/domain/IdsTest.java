package com.opencodeworker.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class IdsTest {

    static Stream<Arguments> validIds() {
        return Stream.of(
                Arguments.of((Function<String, Object>) MachineId::new, "mch_abc"),
                Arguments.of((Function<String, Object>) WorkerId::new, "k57abc_DEF-9"),
                Arguments.of((Function<String, Object>) SessionId::new, "s"),
                Arguments.of((Function<String, Object>) MessageId::new, "m".repeat(128)),
                Arguments.of((Function<String, Object>) OpenCodeSessionId::new, "ses_01JABCdef"),
                Arguments.of((Function<String, Object>) InstanceId::new, "123e4567-e89b-12d3-a456-426614174000"));
    }

    @ParameterizedTest
    @MethodSource("validIds")
    void validIdKeepsItsValueAsText(Function<String, Object> create, String value) {
        assertThat(create.apply(value)).hasToString(value);
    }

    static Stream<Arguments> invalidIds() {
        return Stream.of(
                Arguments.of((Function<String, Object>) MachineId::new, "abc123", "MachineId"),
                Arguments.of((Function<String, Object>) MachineId::new, "mch_ab", "MachineId"),
                Arguments.of((Function<String, Object>) WorkerId::new, "", "WorkerId"),
                Arguments.of((Function<String, Object>) WorkerId::new, "a/b", "WorkerId"),
                Arguments.of((Function<String, Object>) SessionId::new, "a b", "SessionId"),
                Arguments.of((Function<String, Object>) MessageId::new, "m".repeat(129), "MessageId"),
                Arguments.of((Function<String, Object>) MessageId::new, "é", "MessageId"),
                Arguments.of((Function<String, Object>) OpenCodeSessionId::new, "ses_", "OpenCodeSessionId"),
                Arguments.of((Function<String, Object>) OpenCodeSessionId::new, "abc", "OpenCodeSessionId"),
                Arguments.of((Function<String, Object>) InstanceId::new, "123E4567-E89B-12D3-A456-426614174000", "InstanceId"),
                Arguments.of((Function<String, Object>) InstanceId::new, "not-a-uuid", "InstanceId"));
    }

    @ParameterizedTest
    @MethodSource("invalidIds")
    void invalidIdIsRejectedNamingItsType(Function<String, Object> create, String value, String type) {
        assertThatThrownBy(() -> create.apply(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid " + type + ": \"");
    }

    @Test
    void nullIdIsRejected() {
        assertThatThrownBy(() -> new WorkerId(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void rejectedHugeValueIsShortenedToOneLine() {
        assertThatThrownBy(() -> new MessageId("x".repeat(10_000) + "\n"))
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(120).doesNotContain("\n"));
    }

    @Test
    void controlCharactersInARejectedValueAreEscaped() {
        assertThatThrownBy(() -> new SessionId("a\nb"))
                .hasMessage("invalid SessionId: \"a\\u000ab\"");
    }

    @Test
    void randomInstanceIdsDiffer() {
        assertThat(InstanceId.random()).isNotEqualTo(InstanceId.random());
    }
}
