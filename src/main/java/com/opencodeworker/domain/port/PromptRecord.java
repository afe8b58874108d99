package com.opencodeworker.domain.port;

/** What the assistant's history says about a prompt: never sent, sent and answered, or sent and cut off. */
public sealed interface PromptRecord {

    /** The prompt is not in the history: it was never sent. */
    record NotSent() implements PromptRecord {
    }

    /** The prompt's reply finished: here it is. */
    record Finished(ReplyResult result) implements PromptRecord {
    }

    /** The prompt was sent, but its reply never finished (or ended in an error). */
    record Unfinished() implements PromptRecord {
    }
}
