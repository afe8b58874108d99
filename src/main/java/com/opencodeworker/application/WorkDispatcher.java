package com.opencodeworker.application;

import com.opencodeworker.application.ActiveMessage.StopReason;
import com.opencodeworker.domain.InstanceId;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.WorkItem;
import com.opencodeworker.domain.port.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code messages:work} snapshots into work: each snapshot is diffed by message id against
 * what this instance holds; new eligible items go to their session's queue; a session answers
 * its messages one at a time, oldest first, sessions in parallel. Cancellations reach the running
 * reply. All mutable state is guarded by {@code this}.
 */
public final class WorkDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(WorkDispatcher.class);

    /** Answers one message (the {@link ProcessMessage} use case). */
    @FunctionalInterface
    public interface Handler {
        Outcome process(WorkItem item, ActiveMessage active) throws InterruptedException;
    }

    private final InstanceId self;
    private final Clock clock;
    private final Handler handler;
    private final ExecutorService executor;
    private final WorkerLifecycle lifecycle;

    private final Set<MessageId> taken = new HashSet<>();
    private final Map<SessionId, Queue<WorkItem>> queues = new HashMap<>();
    private final Set<MessageId> queued = new HashSet<>();
    private final Set<SessionId> runningSessions = new HashSet<>();
    private final Map<MessageId, ActiveMessage> active = new HashMap<>();
    private List<WorkItem> lastSnapshot = List.of();
    private Runnable recheckNeeded = () -> { };

    public WorkDispatcher(InstanceId self, Clock clock, Handler handler, ExecutorService executor,
                          WorkerLifecycle lifecycle) {
        this.self = Objects.requireNonNull(self, "self");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
    }

    /** Takes a whole snapshot of {@code messages:work}. */
    public synchronized void onWork(List<WorkItem> snapshot) {
        lastSnapshot = List.copyOf(snapshot);
        long now = clock.now().toEpochMilli();
        Set<MessageId> present = new HashSet<>();
        List<WorkItem> ordered = new ArrayList<>(snapshot);
        ordered.sort(Comparator.comparingLong(WorkItem::createdAt));
        for (WorkItem item : ordered) {
            present.add(item.messageId());
            ActiveMessage running = active.get(item.messageId());
            if (running != null && item.cancelRequested()) {
                running.stop(StopReason.CANCELLED);
            }
            if (taken.contains(item.messageId()) || !eligible(item, now) || !lifecycle.accepting()) {
                continue;
            }
            taken.add(item.messageId());
            queues.computeIfAbsent(item.sessionId(), s -> new ArrayDeque<>()).add(item);
            queued.add(item.messageId());
            startSession(item.sessionId());
        }
        taken.removeIf(id -> !present.contains(id) && !active.containsKey(id) && !queued.contains(id));
        askForRecheckIfUntaken();
    }

    /**
     * {@code arm} is run whenever the last snapshot lists a message this instance has not taken, which
     * a later look may take (another instance's lease runs out, a message this one released); the
     * caller then calls {@link #reevaluate()} a moment later. With nothing to look at again it is not
     * run, so an idle worker keeps no timer for it.
     */
    public synchronized void onRecheckNeeded(Runnable arm) {
        this.recheckNeeded = Objects.requireNonNull(arm, "arm");
        askForRecheckIfUntaken();
    }

    private void askForRecheckIfUntaken() {
        if (!lifecycle.accepting()) {
            return; // a stopping worker takes nothing more: looking again would find nothing to do
        }
        for (WorkItem item : lastSnapshot) {
            if (!taken.contains(item.messageId())) {
                recheckNeeded.run();
                return;
            }
        }
    }

    /** Re-evaluates the last snapshot (e.g. after a foreign lease may have expired). */
    public void reevaluate() {
        List<WorkItem> snapshot;
        synchronized (this) {
            snapshot = lastSnapshot;
        }
        onWork(snapshot);
    }

    private boolean eligible(WorkItem item, long now) {
        if (item.status() == WorkItem.Status.PENDING) {
            return !item.cancelRequested();
        }
        return item.isClaimedBy(self) || item.hasExpiredLease(now);
    }

    /**
     * Whether {@code session} still has messages to answer: queued, or taken by its drain (which
     * holds no process between one message's release and the next one's acquire).
     */
    public synchronized boolean hasWaitingWork(SessionId session) {
        Queue<WorkItem> queue = queues.get(session);
        return runningSessions.contains(session) || queue != null && !queue.isEmpty();
    }

    private void startSession(SessionId session) {
        if (runningSessions.add(session)) {
            try {
                executor.execute(() -> drain(session));
            } catch (RejectedExecutionException e) {
                runningSessions.remove(session);
            }
        }
    }

    private void drain(SessionId session) {
        while (true) {
            WorkItem item;
            ActiveMessage running;
            synchronized (this) {
                Queue<WorkItem> queue = queues.get(session);
                item = queue == null || !lifecycle.accepting() ? null : queue.poll();
                if (item != null) {
                    queued.remove(item.messageId());
                }
                if (item == null) {
                    runningSessions.remove(session);
                    if (queue != null && !lifecycle.accepting()) {
                        queue.forEach(i -> {
                            taken.remove(i.messageId());
                            queued.remove(i.messageId());
                        });
                        queue.clear();
                    }
                    if (queue != null && queue.isEmpty()) {
                        queues.remove(session);
                    }
                    notifyAll();
                    return;
                }
                running = new ActiveMessage(item.messageId());
                active.put(item.messageId(), running);
            }
            Outcome outcome = Outcome.RELEASED;
            try {
                outcome = handler.process(item, running);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.error("Unexpected failure while answering message {}", item.messageId(), e);
            } finally {
                synchronized (this) {
                    active.remove(item.messageId());
                    if (outcome == Outcome.RELEASED) {
                        taken.remove(item.messageId());
                        askForRecheckIfUntaken();
                    }
                    notifyAll();
                }
            }
            if (Thread.currentThread().isInterrupted()) {
                synchronized (this) {
                    runningSessions.remove(session);
                    notifyAll();
                }
                return;
            }
        }
    }

    /** Stops every running reply for {@code reason}. */
    public void stopAll(StopReason reason) {
        List<ActiveMessage> running;
        synchronized (this) {
            running = new ArrayList<>(active.values());
        }
        running.forEach(m -> m.stop(reason));
    }

    /** Number of replies being produced now. */
    public synchronized int activeCount() {
        return active.size();
    }

    /** Waits up to {@code timeoutMs} until no session is running; returns whether none is. */
    public synchronized boolean awaitIdle(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!runningSessions.isEmpty()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }
}
