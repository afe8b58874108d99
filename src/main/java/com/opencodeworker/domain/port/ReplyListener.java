package com.opencodeworker.domain.port;

/** Receives a reply's live events, in order. */
@FunctionalInterface
public interface ReplyListener {
    void onEvent(ReplyEvent event);
}
