package com.opencodeworker.application;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.WorkerException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's run state: running, draining (first stop signal: finish running replies, take no
 * new work), forced (second signal, or the grace period is over: abort now), or ended by an error
 * such as being superseded. All mutable state is guarded by {@code this}.
 */
public final class WorkerLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerLifecycle.class);

    /** The phases, in the only order they can be entered. */
    public enum Phase { RUNNING, DRAINING, FORCED }

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private Phase phase = Phase.RUNNING;
    private WorkerException failure;

    public synchronized Phase phase() {
        return phase;
    }

    /** True while new work may start. */
    public synchronized boolean accepting() {
        return phase == Phase.RUNNING;
    }

    /** True once replies must be aborted at once and nothing retried any longer. */
    public synchronized boolean forced() {
        return phase == Phase.FORCED;
    }

    /** True when another worker took over: this one must not write anything more. */
    public synchronized boolean superseded() {
        return failure != null && failure.exitCode() == ExitCode.SUPERSEDED;
    }

    /** True when the backend rejects the machine token now: no write of this worker can succeed. */
    public synchronized boolean revoked() {
        return failure != null && failure.exitCode() == ExitCode.AUTH_REJECTED;
    }

    /** True when the backend takes nothing more from this instance (superseded, or the token revoked). */
    public synchronized boolean cutOff() {
        return superseded() || revoked();
    }

    /** A stop signal: the first one drains, the second one forces. */
    public synchronized void requestStop() {
        if (phase == Phase.RUNNING) {
            phase = Phase.DRAINING;
            LOG.info("Stopping: finishing running replies, taking no new work (signal again to stop at once)");
        } else if (phase == Phase.DRAINING) {
            phase = Phase.FORCED;
            LOG.info("Stopping now: aborting running replies");
        }
        notifyAll();
        stopRequested.countDown();
    }

    /** The grace period is over, or an error ends the worker: abort what runs. */
    public synchronized void force() {
        phase = Phase.FORCED;
        notifyAll();
        stopRequested.countDown();
    }

    /** Ends the worker with {@code error} (the first error wins); running work is aborted. */
    public synchronized void fail(WorkerException error) {
        if (failure == null) {
            failure = error;
            // The command prints the message as the worker's last line; logging it too would say it twice.
            LOG.debug("Ending: {}", error.getMessage());
        }
        force();
    }

    /** Another worker connected with this machine's token. */
    public void supersede() {
        supersede("");
    }

    /** Another worker connected with this machine's token; {@code detail} is the backend's message (may name its host). */
    public void supersede(String detail) {
        int at = detail == null ? -1 : detail.indexOf("another worker connected");
        String message = at >= 0 ? detail.substring(at) : "another worker connected with this machine token";
        fail(new WorkerException(ExitCode.SUPERSEDED, "Stopped: " + message));
    }

    /**
     * The backend answered {@code UNAUTHORIZED} to a call that names this machine only (a heartbeat,
     * the state query): the token was revoked or regenerated in the web app while the worker ran.
     */
    public void revoke() {
        fail(new WorkerException(ExitCode.AUTH_REJECTED, "Stopped: Convex no longer accepts the machine token"
                + " (revoked or regenerated in the web app); running replies were abandoned to the backend. Start"
                + " the worker once with the new token (--token or MACHINE_TOKEN); it replaces the stored one."));
    }

    public synchronized Optional<WorkerException> failure() {
        return Optional.ofNullable(failure);
    }

    /** Blocks until a stop was requested or the worker failed. */
    public void awaitStopRequest() throws InterruptedException {
        stopRequested.await();
    }

    /** A sleeper that wakes up early when a stop is requested, so waits between retries do not delay a stop. */
    public Sleeper interruptibleSleeper() {
        return duration -> stopRequested.await(duration.toMillis(), TimeUnit.MILLISECONDS);
    }
}
