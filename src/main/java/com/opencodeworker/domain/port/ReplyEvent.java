package com.opencodeworker.domain.port;

/** A live event of a streamed reply. */
public sealed interface ReplyEvent {

    /** Some more answer text. */
    record TextDelta(String text) implements ReplyEvent {
    }

    /** Some more reasoning text. */
    record ReasoningDelta(String text) implements ReplyEvent {
    }

    /** One readable line about a tool call or a permission decision, e.g. "write hello.txt: completed". */
    record ToolProgress(String line) implements ReplyEvent {
    }
}
