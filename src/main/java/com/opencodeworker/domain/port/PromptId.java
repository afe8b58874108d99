package com.opencodeworker.domain.port;

import com.opencodeworker.domain.MessageId;
import java.time.Instant;
import java.util.Objects;

/**
 * The id a prompt is sent to OpenCode under ({@code messageID} of the prompt body). It starts with
 * a time prefix so it sorts after earlier messages, and ends with the backend's message id so a
 * later worker instance can find it in OpenCode's history.
 */
public record PromptId(String value) {
    private static final String SUFFIX_MARK = "w";

    public PromptId {
        Objects.requireNonNull(value, "value");
        if (!value.startsWith("msg_")) {
            throw new IllegalArgumentException("a prompt id starts with msg_: " + value);
        }
    }

    /** A new prompt id for {@code message}, sent at {@code now}. */
    public static PromptId forMessage(MessageId message, Instant now) {
        return new PromptId(String.format("msg_%012x", now.toEpochMilli() * 0x1000L) + SUFFIX_MARK + message.value());
    }

    /** True when this id was made by {@link #forMessage} for {@code message}, at any time. */
    public boolean isFor(MessageId message) {
        return value.endsWith(SUFFIX_MARK + message.value()) && value.length() == 16 + 1 + message.value().length();
    }

    @Override
    public String toString() {
        return value;
    }
}
