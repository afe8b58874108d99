package com.opencodeworker.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MachineTokenTest {
    private static final String SECRET = "sec_xyz789AB";

    @ParameterizedTest
    @ValueSource(strings = {
        "mch_abc123:sec_xyz789AB",
        "  mch_abc123:sec_xyz789AB  ",
        "mch_abc123:sec_xyz789AB\n",
        "\tmch_abc123:sec_xyz789AB\r\n",
    })
    void surroundingWhitespaceIsTrimmed(String raw) {
        MachineToken token = MachineToken.parse(raw);

        assertThat(token.machineId()).isEqualTo(new MachineId("mch_abc123"));
        assertThat(token.secret()).isEqualTo(SECRET);
        assertThat(token.reveal()).isEqualTo("mch_abc123:sec_xyz789AB");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "mch_abc:sec_12345678",
        "mch_" + "a123456789b123456789c123456789d123456789e123456789f123456789abcd" + ":sec_12345678",
        "mch_A-b_9:sec_A-b_9xyz",
    })
    void boundaryLengthsAndAllowedCharactersAreAccepted(String raw) {
        assertThat(MachineToken.parse(raw).reveal()).isEqualTo(raw);
    }

    @Test
    void longestSecretIsAccepted() {
        String secret = "sec_" + "s".repeat(128);

        assertThat(MachineToken.parse("mch_abc:" + secret).secret()).isEqualTo(secret);
    }

    static Stream<Arguments> badTokens() {
        return Stream.of(
                Arguments.of("", "empty"),
                Arguments.of("   \n ", "empty"),
                Arguments.of("mch_abc123sec_xyz789AB", "no ':'"),
                Arguments.of("mch_abc123:sec_xyz789AB:sec_xyz789AB", "more than one ':'"),
                Arguments.of("mch_abc123::sec_xyz789AB", "more than one ':'"),
                Arguments.of("abc123:sec_xyz789AB", "machine id"),
                Arguments.of("MCH_abc123:sec_xyz789AB", "machine id"),
                Arguments.of("mch_abc123:xyz789ABxx", "secret"),
                Arguments.of("mch_abc123:SEC_xyz789AB", "secret"),
                Arguments.of(":sec_xyz789AB", "machine id"),
                Arguments.of("mch_abc123:", "secret"),
                Arguments.of("mch_ab:sec_xyz789AB", "machine id"),
                Arguments.of("mch_abc123:sec_1234567", "secret"),
                Arguments.of("mch_" + "a".repeat(65) + ":sec_xyz789AB", "machine id"),
                Arguments.of("mch_abc123:sec_" + "s".repeat(129), "secret"),
                Arguments.of("mch_abc123:sec_xyz 789AB", "secret"),
                Arguments.of("mch_abc 123:sec_xyz789AB", "machine id"),
                Arguments.of("mch_abcé123:sec_xyz789AB", "machine id"),
                Arguments.of("mch_abc123:sec_xyz789ÅB", "secret"),
                Arguments.of("mch_abc123:sec_xyz789AB\u0000", "secret"),
                Arguments.of("mch_abc123:sec_" + "x".repeat(10_240), "secret"));
    }

    @ParameterizedTest
    @MethodSource("badTokens")
    void badTokenIsRejectedWithTheReason(String raw, String reason) {
        assertThatThrownBy(() -> MachineToken.parse(raw))
                .isInstanceOf(MachineToken.InvalidTokenException.class)
                .hasMessageStartingWith("Invalid token format: expected <machine_id>:<machine_secret> (")
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @MethodSource("badTokens")
    void rejectionNeverShowsTheSecretPart(String raw, String reason) {
        int colon = raw.indexOf(':');
        String secretPart = colon < 0 ? raw.strip() : raw.substring(colon + 1).strip();

        assertThatThrownBy(() -> MachineToken.parse(raw))
                .satisfies(e -> {
                    if (!secretPart.isEmpty()) {
                        assertThat(e.getMessage()).doesNotContain(secretPart);
                    }
                    assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(200);
                });
    }

    @Test
    void toStringRedactsTheSecret() {
        MachineToken token = MachineToken.parse("mch_abc123:sec_xyz789AB");

        assertThat(token.toString()).isEqualTo("mch_abc123:sec_***").doesNotContain("xyz789");
    }

    @Test
    void tokensWithTheSameTextAreEqual() {
        assertThat(MachineToken.parse("mch_abc123:sec_xyz789AB"))
                .isEqualTo(MachineToken.parse(" mch_abc123:sec_xyz789AB "))
                .hasSameHashCodeAs(MachineToken.parse("mch_abc123:sec_xyz789AB"))
                .isNotEqualTo(MachineToken.parse("mch_abc123:sec_xyz789AC"));
    }
}
