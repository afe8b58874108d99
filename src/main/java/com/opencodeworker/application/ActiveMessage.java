package com.opencodeworker.application;

import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.port.Reply;
import java.util.Objects;
import java.util.Optional;

/**
 * A message being answered, as seen from outside its thread: it can be stopped by the user
 * (cancel), by the lease moving elsewhere, or by a shutdown. The first reason wins. All mutable
 * state is guarded by {@code this}.
 */
public final class ActiveMessage {

    /** Why a reply was stopped before it finished. */
    public enum StopReason {
        /** The user pressed stop: the reply is completed with what exists. */
        CANCELLED,
        /** The worker is shutting down: completed with what exists. */
        SHUTDOWN,
        /** Another instance holds the message now: nothing more is written. */
        LEASE_LOST,
        /** Another worker took over the machine: nothing more is written. */
        SUPERSEDED,
        /** The backend no longer accepts the machine token: nothing more can be written. */
        REVOKED
    }

    private final MessageId message;
    private Reply reply;
    private StopReason stopReason;

    public ActiveMessage(MessageId message) {
        this.message = Objects.requireNonNull(message, "message");
    }

    public MessageId message() {
        return message;
    }

    /** Stops the reply for {@code reason}, now or as soon as it starts; later reasons are ignored. */
    public void stop(StopReason reason) {
        Reply toAbort;
        synchronized (this) {
            if (stopReason != null) {
                return;
            }
            stopReason = reason;
            toAbort = reply;
        }
        if (toAbort != null) {
            toAbort.abort();
        }
    }

    /** Attaches the running reply; aborts it at once if a stop came first. */
    public void attach(Reply running) {
        boolean abort;
        synchronized (this) {
            reply = running;
            abort = stopReason != null;
        }
        if (abort) {
            running.abort();
        }
    }

    public synchronized Optional<StopReason> stopReason() {
        return Optional.ofNullable(stopReason);
    }
}
