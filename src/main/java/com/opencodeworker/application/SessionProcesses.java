package com.opencodeworker.application;

import com.opencodeworker.domain.ProcessMode;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.WorkerId;
import com.opencodeworker.domain.port.AssistantException;
import com.opencodeworker.domain.port.AssistantProcess;
import com.opencodeworker.domain.port.AssistantRuntime;
import com.opencodeworker.domain.port.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running assistant processes, at most {@code maxProcesses} at once: one per chat session
 * ({@link ProcessMode#PER_SESSION}) or one per worker directory, shared by its sessions
 * ({@link ProcessMode#PER_DIRECTORY}).
 *
 * <p>The policy, which keeps processes warm and starves no session:
 * <ol>
 *   <li>A session whose process runs gets it at once: it needs no slot.</li>
 *   <li>A session that needs a new process starts one while fewer than {@code maxProcesses} run.</li>
 *   <li>Otherwise a process may be stopped to make room only when nothing runs in it and none of
 *       its sessions has messages waiting ({@code hasWaitingWork}); the least recently used goes
 *       first. A process whose session has work waiting is never stopped.</li>
 *   <li>Sessions that wait for a slot are served in the order they began to wait: only the one
 *       waiting longest may take a freed slot, so none is overtaken for ever.</li>
 * </ol>
 * All mutable state is guarded by {@code this}; processes are started and stopped outside the lock.
 */
public final class SessionProcesses {
    private static final Logger LOG = LoggerFactory.getLogger(SessionProcesses.class);

    private static final Duration RECHECK = Duration.ofSeconds(1);

    private final AssistantRuntime runtime;
    private final Clock clock;
    private final int maxProcesses;
    private final ProcessMode mode;
    private final Predicate<SessionId> hasWaitingWork;
    private final Consumer<SessionId> onStoppedIdle;
    private final long recheckMs;

    private final Map<Object, Entry> entries = new HashMap<>();
    private final Set<Object> starting = new HashSet<>();
    private final Deque<SessionId> waiting = new ArrayDeque<>();
    private boolean closed;

    /**
     * @param hasWaitingWork whether a session has messages queued (not counting the one asking now)
     * @param onStoppedIdle  told (outside any lock) about each session whose process was stopped to make room
     */
    public SessionProcesses(AssistantRuntime runtime, Clock clock, int maxProcesses, ProcessMode mode,
                            Predicate<SessionId> hasWaitingWork, Consumer<SessionId> onStoppedIdle) {
        this(runtime, clock, maxProcesses, mode, hasWaitingWork, onStoppedIdle, RECHECK);
    }

    /**
     * @param recheck how long a waiting {@link #acquire} sleeps before it looks again without being
     *                woken (tests make it long, so that only a wake-up ends a wait)
     */
    SessionProcesses(AssistantRuntime runtime, Clock clock, int maxProcesses, ProcessMode mode,
                     Predicate<SessionId> hasWaitingWork, Consumer<SessionId> onStoppedIdle, Duration recheck) {
        if (maxProcesses < 1) {
            throw new IllegalArgumentException("maxProcesses must be >= 1");
        }
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxProcesses = maxProcesses;
        this.mode = Objects.requireNonNull(mode, "mode");
        this.hasWaitingWork = Objects.requireNonNull(hasWaitingWork, "hasWaitingWork");
        this.onStoppedIdle = Objects.requireNonNull(onStoppedIdle, "onStoppedIdle");
        this.recheckMs = recheck.toMillis();
    }

    /** One process per session, knowing of no waiting work (tests of other use cases). */
    public SessionProcesses(AssistantRuntime runtime, Clock clock, int maxProcesses, Consumer<SessionId> onStoppedIdle) {
        this(runtime, clock, maxProcesses, ProcessMode.PER_SESSION, session -> false, onStoppedIdle);
    }

    /** A session's use of a process, held by one message at a time until {@link #release}. */
    public record Lease(SessionId session, AssistantProcess process, boolean started) {
    }

    /**
     * Returns the live process for the session, starting one in {@code directory} if needed; blocks
     * while every slot is taken.
     *
     * @throws AssistantException      when the process does not start
     * @throws WorkerStoppingException when the worker is stopping
     */
    public Lease acquire(SessionId session, WorkerId worker, Path directory) throws InterruptedException {
        Object key = keyOf(session, directory);
        try {
            while (true) {
                Step step = nextStep(session, key, directory);
                step.toStop().forEach(AssistantProcess::close);
                step.stoppedIdle().forEach(onStoppedIdle);
                if (step.lease() != null) {
                    return step.lease();
                }
                if (step.start()) {
                    return start(session, key, worker, directory);
                }
            }
        } finally {
            synchronized (this) {
                if (waiting.remove(session)) {
                    notifyAll();
                }
            }
        }
    }

    private Object keyOf(SessionId session, Path directory) {
        return mode == ProcessMode.PER_SESSION ? session : directory;
    }

    /** What acquire does next, decided under the lock; processes are stopped outside it. */
    private record Step(Lease lease, boolean start, List<AssistantProcess> toStop, List<SessionId> stoppedIdle) {
        static Step stop(AssistantProcess process, List<SessionId> idle) {
            return new Step(null, false, List.of(process), idle);
        }
    }

    private synchronized Step nextStep(SessionId session, Object key, Path directory) throws InterruptedException {
        while (true) {
            ensureOpen();
            Entry entry = entries.get(key);
            if (entry != null && (!entry.process.isAlive() || !entry.directory.equals(directory))) {
                entries.remove(key);
                notifyAll();
                if (!entry.process.isAlive()) {
                    LOG.warn("OpenCode for {} had exited; starting a new one", entry.label());
                }
                return Step.stop(entry.process, List.of());
            }
            if (entry != null && entry.busy.contains(session)) {
                // One message of a session at a time: the next waits for the same process.
                wait(recheckMs);
                continue;
            }
            if (entry != null) {
                entry.sessions.add(session);
                entry.busy.add(session);
                entry.lastActivity = clock.now();
                return new Step(new Lease(session, entry.process, false), false, List.of(), List.of());
            }
            if (starting.contains(key)) {
                // Another session of this directory starts its process: wait for it, without a place in line.
                waiting.remove(session);
                notifyAll();
            } else {
                if (!waiting.contains(session)) {
                    waiting.addLast(session);
                }
                if (waiting.peekFirst().equals(session)) {
                    if (entries.size() + starting.size() < maxProcesses) {
                        waiting.removeFirst();
                        starting.add(key);
                        notifyAll();
                        return new Step(null, true, List.of(), List.of());
                    }
                    Optional<Entry> victim = entries.values().stream().filter(this::reclaimable)
                            .min(Comparator.comparing(e -> e.lastActivity));
                    if (victim.isPresent()) {
                        entries.values().remove(victim.get());
                        LOG.info("Stopping OpenCode of idle {} to make room for session {} (limit {} processes)",
                                victim.get().label(), session, maxProcesses);
                        return Step.stop(victim.get().process, List.copyOf(victim.get().sessions));
                    }
                }
            }
            // Work ending elsewhere frees a process without a call here: look again now and then.
            wait(recheckMs);
        }
    }

    /** Nothing runs in it and none of its sessions has messages waiting. */
    private boolean reclaimable(Entry entry) {
        return entry.busy.isEmpty() && entry.sessions.stream().noneMatch(hasWaitingWork);
    }

    private Lease start(SessionId session, Object key, WorkerId worker, Path directory) {
        AssistantProcess process;
        try {
            process = runtime.start(directory, mode == ProcessMode.PER_SESSION ? session.value()
                    : directory.getFileName().toString());
        } catch (RuntimeException e) {
            synchronized (this) {
                starting.remove(key);
                notifyAll();
            }
            throw e;
        }
        synchronized (this) {
            starting.remove(key);
            notifyAll();
            if (!closed) {
                Entry entry = new Entry(key, worker, directory, process, clock.now());
                entry.sessions.add(session);
                entry.busy.add(session);
                entries.put(key, entry);
                // The runtime logs the start for the person running the worker; this line is for debugging the pool.
                LOG.debug("Session {} holds a new OpenCode process (pid {}) in {}", session, process.pid(), directory);
                return new Lease(session, process, true);
            }
        }
        process.close();
        throw new WorkerStoppingException();
    }

    /** The message is done with the process; its idle time starts now. */
    public synchronized void release(Lease lease) {
        Entry entry = entryOf(lease);
        if (entry != null) {
            entry.busy.remove(lease.session());
            entry.lastActivity = clock.now();
        }
        notifyAll();
    }

    /**
     * Stops the processes idle for at least {@code timeout} (nothing running, no message waiting);
     * returns the sessions they served.
     */
    public List<SessionId> stopIdle(Duration timeout) {
        Instant now = clock.now();
        List<Entry> idle = new ArrayList<>();
        synchronized (this) {
            entries.values().removeIf(e -> {
                boolean stop = reclaimable(e) && !e.lastActivity.plus(timeout).isAfter(now);
                if (stop) {
                    idle.add(e);
                }
                return stop;
            });
            notifyAll();
        }
        idle.forEach(e -> {
            LOG.info("OpenCode for {} idle for {} s: stopping it (pid {})", e.label(), timeout.toSeconds(),
                    e.process.pid());
            e.process.close();
        });
        return idle.stream().flatMap(e -> e.sessions.stream()).toList();
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
        return all.stream().flatMap(e -> e.sessions.stream()).toList();
    }

    /** How many chat sessions have a running process. */
    public synchronized int running() {
        return entries.values().stream().mapToInt(e -> e.sessions.size()).sum();
    }

    /** How many sessions wait for a slot; for tests. */
    synchronized int waiting() {
        return waiting.size();
    }

    /** How many processes run. */
    public synchronized int processes() {
        return entries.size();
    }

    /** Whether the lease's process already opened the session's OpenCode session. */
    public synchronized boolean isOpened(Lease lease) {
        Entry entry = entryOf(lease);
        return entry != null && entry.opened.contains(lease.session());
    }

    public synchronized void markOpened(Lease lease) {
        Entry entry = entryOf(lease);
        if (entry != null) {
            entry.opened.add(lease.session());
        }
    }

    private Entry entryOf(Lease lease) {
        return entries.values().stream().filter(e -> e.process == lease.process()).findFirst().orElse(null);
    }

    private void ensureOpen() {
        if (closed) {
            throw new WorkerStoppingException();
        }
    }

    /** A running process, the sessions it served and those it serves now. */
    private static final class Entry {
        final Object key;
        final WorkerId worker;
        final Path directory;
        final AssistantProcess process;
        final Set<SessionId> sessions = new LinkedHashSet<>();
        final Set<SessionId> busy = new HashSet<>();
        final Set<SessionId> opened = new HashSet<>();
        Instant lastActivity;

        Entry(Object key, WorkerId worker, Path directory, AssistantProcess process, Instant startedAt) {
            this.key = key;
            this.worker = worker;
            this.directory = directory;
            this.process = process;
            this.lastActivity = startedAt;
        }

        String label() {
            return key instanceof SessionId session ? "session " + session : "directory " + directory;
        }
    }
}
