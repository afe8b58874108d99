package com.opencodeworker.domain.port;

import java.util.concurrent.CompletableFuture;

/** A reply being produced. */
public interface Reply {

    /** Stops the reply; {@link #result()} then completes with what was produced and an ABORTED failure. */
    void abort();

    /** Completes once the turn ended: finished, failed, aborted, or the process died. Never completes exceptionally. */
    CompletableFuture<ReplyResult> result();
}
