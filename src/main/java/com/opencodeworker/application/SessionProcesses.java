package com.opencodeworker.application;

import com.opencodeworker.domain.Session;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.SessionStatus;
import com.opencodeworker.domain.WorkerId;
import com.opencodeworker.domain.port.AssistantException;
import com.opencodeworker.domain.port.AssistantProcess;
import com.opencodeworker.domain.port.AssistantRuntime;
import com.opencodeworker.domain.port.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running assistant processes, one per chat session, at most {@code maxProcesses} at once.
 * A session that needs a process when all slots are taken stops the least recently used idle
 * one first, or waits until a slot frees. All mutable state is guarded by {@code this}.
 */
public final class SessionProcesses {
    private static final Logger LOG = LoggerFactory.getLogger(SessionProcesses.class);

    private final AssistantRuntime runtime;
    private final Clock clock;
    private final int maxProcesses;
    private final Consumer<SessionId> onStoppedIdle;

    private final Map<SessionId, Entry> entries = new HashMap<>();
    private int starting;
    private boolean closed;

    /**
     * @param onStoppedIdle told (outside any lock) about each session whose process was stopped for idleness
     */
    public SessionProcesses(AssistantRuntime runtime, Clock clock, int maxProcesses, Consumer<SessionId> onStoppedIdle) {
        if (maxProcesses < 1) {
            throw new IllegalArgumentException("maxProcesses must be >= 1");
        }
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxProcesses = maxProcesses;
        this.onStoppedIdle = Objects.requireNonNull(onStoppedIdle, "onStoppedIdle");
    }

    /** A session's process, held by one message at a time until {@link #release}. */
    public record Lease(SessionId session, AssistantProcess process, boolean started) {
    }

    /**
     * Returns the session's live process, starting one in {@code directory} if needed; blocks while
     * every slot is busy.
     *
     * @throws AssistantException      when the process does not start
     * @throws WorkerStoppingException when the worker is stopping
     */
    public Lease acquire(SessionId session, WorkerId worker, Path directory) throws InterruptedException {
        while (true) {
            Step step = nextStep(session, directory);
            step.toStop().forEach(AssistantProcess::close);
            step.stoppedIdle().forEach(onStoppedIdle);
            if (step.lease() != null) {
                return step.lease();
            }
            if (step.start()) {
                return start(session, worker, directory);
            }
        }
    }

    /** What acquire does next, decided under the lock; processes are stopped outside it. */
    private record Step(Lease lease, boolean start, List<AssistantProcess> toStop, List<SessionId> stoppedIdle) {
        static Step stop(AssistantProcess process, List<SessionId> idle) {
            return new Step(null, false, List.of(process), idle);
        }
    }

    private synchronized Step nextStep(SessionId session, Path directory) throws InterruptedException {
        while (true) {
            ensureOpen();
            Entry entry = entries.get(session);
            if (entry != null && (!entry.process.isAlive() || !entry.directory.equals(directory))) {
                entries.remove(session);
                notifyAll();
                if (!entry.process.isAlive()) {
                    LOG.warn("OpenCode of session {} had exited; starting a new one", session);
                }
                return Step.stop(entry.process, List.of());
            }
            if (entry != null && entry.busy) {
                wait();
            } else if (entry != null) {
                entry.busy = true;
                entry.touch(clock.now());
                return new Step(new Lease(session, entry.process, false), false, List.of(), List.of());
            } else if (entries.size() + starting < maxProcesses) {
                starting++;
                return new Step(null, true, List.of(), List.of());
            } else {
                Optional<Entry> victim = entries.values().stream().filter(e -> !e.busy)
                        .min(Comparator.comparing(e -> e.state.lastActivity()));
                if (victim.isPresent()) {
                    entries.remove(victim.get().session);
                    LOG.info("Stopping OpenCode of idle session {} to make room (limit {} processes)",
                            victim.get().session, maxProcesses);
                    return Step.stop(victim.get().process, List.of(victim.get().session));
                }
                LOG.info("Session {} waits for a free OpenCode slot (all {} busy)", session, maxProcesses);
                wait();
            }
        }
    }

    private Lease start(SessionId session, WorkerId worker, Path directory) {
        AssistantProcess process;
        try {
            process = runtime.start(directory, session.value());
        } catch (RuntimeException e) {
            synchronized (this) {
                starting--;
                notifyAll();
            }
            throw e;
        }
        synchronized (this) {
            starting--;
            notifyAll();
            if (!closed) {
                Entry entry = new Entry(session, worker, directory, process, clock.now());
                entry.busy = true;
                entries.put(session, entry);
                // The runtime logs the start for the person running the worker; this line is for debugging the pool.
                LOG.debug("Session {} holds a new OpenCode process (pid {}) in {}", session, process.pid(), directory);
                return new Lease(session, process, true);
            }
        }
        process.close();
        throw new WorkerStoppingException();
    }

    /** The message is done with the process; the session's idle time starts now. */
    public synchronized void release(Lease lease) {
        Entry entry = entries.get(lease.session());
        if (entry != null && entry.process == lease.process()) {
            entry.busy = false;
            entry.touch(clock.now());
        }
        notifyAll();
    }

    /** Stops the processes of sessions idle for at least {@code timeout}; returns those sessions. */
    public List<SessionId> stopIdle(Duration timeout) {
        Instant now = clock.now();
        List<Entry> idle = new ArrayList<>();
        synchronized (this) {
            entries.values().removeIf(e -> {
                boolean stop = !e.busy && e.state.isIdle(now, timeout);
                if (stop) {
                    idle.add(e);
                }
                return stop;
            });
            notifyAll();
        }
        idle.forEach(e -> {
            LOG.info("Session {} idle for {} s: stopping its OpenCode (pid {})", e.session, timeout.toSeconds(),
                    e.process.pid());
            e.process.close();
        });
        return idle.stream().map(e -> e.session).toList();
    }

    /** Stops the processes of every session of {@code worker} (the worker was removed). */
    public void stopWorker(WorkerId worker) {
        List<Entry> removed = new ArrayList<>();
        synchronized (this) {
            entries.values().removeIf(e -> {
                boolean match = e.worker.equals(worker);
                if (match) {
                    removed.add(e);
                }
                return match;
            });
            notifyAll();
        }
        removed.forEach(e -> e.process.close());
    }

    /** Stops every process and refuses new ones; returns the sessions whose process was stopped. */
    public List<SessionId> closeAll() {
        List<Entry> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(entries.values());
            entries.clear();
            notifyAll();
        }
        all.parallelStream().forEach(e -> e.process.close());
        return all.stream().map(e -> e.session).toList();
    }

    public synchronized int running() {
        return entries.size();
    }

    /** Whether the session's current process already opened its OpenCode session. */
    public synchronized boolean isOpened(Lease lease) {
        Entry entry = entries.get(lease.session());
        return entry != null && entry.process == lease.process() && entry.opened;
    }

    public synchronized void markOpened(Lease lease) {
        Entry entry = entries.get(lease.session());
        if (entry != null && entry.process == lease.process()) {
            entry.opened = true;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new WorkerStoppingException();
        }
    }

    /** A running process and the session it serves; its {@link Session} state says when it goes idle. */
    private static final class Entry {
        final SessionId session;
        final WorkerId worker;
        final Path directory;
        final AssistantProcess process;
        Session state;
        boolean busy;
        boolean opened;

        Entry(SessionId session, WorkerId worker, Path directory, AssistantProcess process, Instant startedAt) {
            this.session = session;
            this.worker = worker;
            this.directory = directory;
            this.process = process;
            this.state = new Session(session, worker, SessionStatus.ACTIVE, Optional.empty(), startedAt);
        }

        void touch(Instant now) {
            state = state.touchedAt(now);
        }
    }
}
