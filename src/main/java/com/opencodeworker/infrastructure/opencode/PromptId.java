package com.opencodeworker.infrastructure.opencode;

import com.opencodeworker.domain.MessageId;
import java.time.Instant;
import java.util.Objects;

/**
 * The id a prompt is sent to OpenCode under ({@code messageID} of the prompt body). It starts with
 * a time prefix made like OpenCode's own ids so it sorts after earlier messages, and ends with the
 * backend's message id so a later worker instance can find it in OpenCode's history.
 */
public record PromptId(String value) {
    private static final String SUFFIX_MARK = "w";
    /** {@code msg_}, 12 hex digits of time (as OpenCode's own ids), the mark. */
    private static final int PREFIX_LENGTH = 4 + 12 + SUFFIX_MARK.length();

    public PromptId {
        Objects.requireNonNull(value, "value");
        if (!value.startsWith("msg_")) {
            throw new IllegalArgumentException("a prompt id starts with msg_: " + value);
        }
    }

    /** A new prompt id for {@code message}, sent at {@code now}. */
    public static PromptId forMessage(MessageId message, Instant now) {
        long timePart = (now.toEpochMilli() * 0x1000L) & 0xFFFF_FFFF_FFFFL;
        return new PromptId(String.format("msg_%012x", timePart) + SUFFIX_MARK + message.value());
    }

    /** True when this id was made by {@link #forMessage} for {@code message}, at any time. */
    public boolean isFor(MessageId message) {
        return value.length() == PREFIX_LENGTH + message.value().length()
                && value.substring(4, 16).chars().allMatch(c -> Character.digit(c, 16) >= 0)
                && value.startsWith(SUFFIX_MARK, 16) && value.endsWith(message.value());
    }

    @Override
    public String toString() {
        return value;
    }
}
