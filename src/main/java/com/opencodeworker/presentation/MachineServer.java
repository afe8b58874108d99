package com.opencodeworker.presentation;

import com.opencodeworker.application.ChunkBatcher;
import com.opencodeworker.application.ConnectMachine;
import com.opencodeworker.application.DrainAndStop;
import com.opencodeworker.application.OpenCodeSessions;
import com.opencodeworker.application.ProcessMessage;
import com.opencodeworker.application.ReapIdleSessions;
import com.opencodeworker.application.ReconcileWorkers;
import com.opencodeworker.application.RecoverState;
import com.opencodeworker.application.Retry;
import com.opencodeworker.application.RetryBackoff;
import com.opencodeworker.application.SendHeartbeat;
import com.opencodeworker.application.SessionProcesses;
import com.opencodeworker.application.Sleeper;
import com.opencodeworker.application.WorkDispatcher;
import com.opencodeworker.application.WorkerLifecycle;
import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.InstanceId;
import com.opencodeworker.domain.Machine;
import com.opencodeworker.domain.MachineId;
import com.opencodeworker.domain.ProcessMode;
import com.opencodeworker.domain.SessionId;
import com.opencodeworker.domain.WorkItem;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.AssistantRuntime;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.domain.port.Clock;
import com.opencodeworker.domain.port.WorkerDirectories;
import com.opencodeworker.infrastructure.filesystem.DirectoriesUnderRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the use cases and runs them: connects the machine, has {@link RecoverState} take over the
 * backend's state, feeds subscriptions to the dispatcher, schedules heartbeats, resyncs and idle
 * reaping, and on a stop request hands over to {@link DrainAndStop}.
 */
public final class MachineServer {
    private static final Logger LOG = LoggerFactory.getLogger(MachineServer.class);
    private static final Duration LEASE_CHECK = Duration.ofSeconds(1);

    /** What the server needs to know, resolved from the configuration. */
    public record Settings(MachineId machineId, InstanceId instanceId, String convexUrl, Path realRoot,
                           Duration idleTimeout, Duration syncInterval, int maxSessions, Duration shutdownGrace,
                           String version, String hostname, String platform, ProcessMode processMode) {
        public Settings {
            Objects.requireNonNull(processMode, "processMode");
            Objects.requireNonNull(machineId, "machineId");
            Objects.requireNonNull(instanceId, "instanceId");
            Objects.requireNonNull(convexUrl, "convexUrl");
            Objects.requireNonNull(realRoot, "realRoot");
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(syncInterval, "syncInterval");
            Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        }

        /** Settings with one OpenCode process per session. */
        public Settings(MachineId machineId, InstanceId instanceId, String convexUrl, Path realRoot,
                        Duration idleTimeout, Duration syncInterval, int maxSessions, Duration shutdownGrace,
                        String version, String hostname, String platform) {
            this(machineId, instanceId, convexUrl, realRoot, idleTimeout, syncInterval, maxSessions, shutdownGrace,
                    version, hostname, platform, ProcessMode.PER_SESSION);
        }
    }

    private final Settings settings;
    private final Backend backend;
    private final AssistantRuntime runtime;
    private final Clock clock;
    private final Retry retry;
    private final WorkerLifecycle lifecycle = new WorkerLifecycle();
    private final SessionProcesses processes;
    private final ReapIdleSessions reaper;
    private final ReconcileWorkers workers;
    private final WorkDispatcher dispatcher;
    private final AtomicBoolean recheckArmed = new AtomicBoolean();
    private final SendHeartbeat heartbeat;
    private final RecoverState recoverState;
    private final DrainAndStop drainAndStop;
    private final ExecutorService workExecutor = Executors.newCachedThreadPool(named("session"));
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, named("worker-timer"));

    private final List<AutoCloseable> owned;

    /**
     * @param owned closed when the server stops, after the backend (e.g. the Convex client under it)
     */
    public MachineServer(Settings settings, Backend backend, AssistantRuntime runtime, Clock clock, Sleeper sleeper,
                         AutoCloseable... owned) {
        this.owned = List.of(owned);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retry = Retry.forBackend(sleeper);
        // The dispatcher is built below; the pool asks it only once work flows.
        this.processes = new SessionProcesses(runtime, clock, settings.maxSessions(), settings.processMode(),
                this::hasWaitingWork, this::markIdle);
        this.reaper = new ReapIdleSessions(backend, processes, settings.idleTimeout(), lifecycle);
        this.heartbeat = new SendHeartbeat(backend, processes, lifecycle);
        WorkerDirectories directories = new DirectoriesUnderRoot(settings.realRoot());
        this.workers = new ReconcileWorkers(backend, processes, directories);
        ProcessMessage processMessage = new ProcessMessage(backend, processes, new OpenCodeSessions(), directories,
                clock, retry, scheduler, ChunkBatcher.Limits.standard(), lifecycle);
        this.dispatcher = new WorkDispatcher(settings.instanceId(), clock, processMessage::process, workExecutor,
                lifecycle);
        this.dispatcher.onRecheckNeeded(this::armRecheck);
        this.recoverState = new RecoverState(workers, reaper, settings.realRoot());
        this.drainAndStop = new DrainAndStop(backend, dispatcher, processes, reaper, lifecycle,
                settings.shutdownGrace());
    }

    private boolean hasWaitingWork(SessionId session) {
        return dispatcher.hasWaitingWork(session);
    }

    /** A session's process was stopped to make room for another: it is idle now. */
    private void markIdle(SessionId session) {
        reaper.markIdle(session);
    }

    /** A stop signal (SIGINT/SIGTERM): the first drains, the second aborts. */
    public void requestStop() {
        lifecycle.requestStop();
    }

    /**
     * Runs until stopped by a signal, superseded by another worker, or failed.
     *
     * @return {@link ExitCode#OK}, after a requested stop (or a stop before Convex could be reached)
     * @throws WorkerException when superseded (exit 4), when the worker cannot start (exit 2, 3) or
     *                         when it fails (exit 1)
     */
    public ExitCode run() throws InterruptedException {
        return run(() -> { });
    }

    /** {@link #run()}, calling {@code onConnected} once the backend accepted this machine. */
    public ExitCode run(Runnable onConnected) throws InterruptedException {
        Thread hook = new Thread(processes::closeAll, "stop-opencode");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            runtime.verifyAvailable();
            if (!start()) {
                LOG.info("Stopped before Convex could be reached");
                if (lifecycle.failure().isPresent()) {
                    throw lifecycle.failure().get();
                }
                return ExitCode.OK;
            }
            onConnected.run();
            lifecycle.awaitStopRequest();
            return drainAndStop.stop();
        } finally {
            scheduler.shutdownNow();
            workExecutor.shutdownNow();
            processes.closeAll();
            backend.close();
            owned.forEach(MachineServer::closeQuietly);
            removeHook(hook);
        }
    }

    private boolean start() throws InterruptedException {
        Retry untilStopped = new Retry(RetryBackoff.of(Duration.ofMillis(500), Duration.ofSeconds(30)),
                lifecycle.interruptibleSleeper());
        Optional<ConnectMachine.Connected> connected = new ConnectMachine(backend, untilStopped, settings.convexUrl())
                .connect(settings.machineId(), settings.realRoot(), new Backend.ConnectRequest(settings.version(),
                        settings.hostname(), settings.platform(), settings.realRoot().toString()),
                        () -> !lifecycle.accepting());
        if (connected.isEmpty()) {
            return false;
        }
        recoverState.recover(connected.get());
        Machine machine = connected.get().machine();
        backend.subscribeState(this::onState);
        backend.subscribeWork(this::onWork);
        backend.onReconnect(() -> scheduler.execute(this::resync));
        schedule(heartbeat::run, Duration.ofMillis(machine.heartbeatIntervalMs()));
        schedule(this::resync, settings.syncInterval());
        schedule(reaper::run, reapInterval());
        LOG.info("Waiting for work");
        return true;
    }

    private Duration reapInterval() {
        Duration quarter = settings.idleTimeout().dividedBy(4);
        Duration max = Duration.ofSeconds(15);
        Duration min = Duration.ofMillis(50);
        return quarter.compareTo(max) > 0 ? max : quarter.compareTo(min) < 0 ? min : quarter;
    }

    private void schedule(Runnable task, Duration every) {
        long ms = Math.max(1, every.toMillis());
        scheduler.scheduleWithFixedDelay(() -> guarded(task), ms, ms, TimeUnit.MILLISECONDS);
    }

    private void guarded(Runnable task) {
        try {
            task.run();
        } catch (BackendException.Superseded e) {
            lifecycle.supersede(e.getMessage());
        } catch (BackendException.Unauthorized e) {
            // It may name an object that is not this machine's; a heartbeat names nothing else, so its
            // answer tells whether the token itself was revoked.
            LOG.debug("Unauthorized: {}; checking the token with a heartbeat", e.getMessage());
            scheduler.execute(heartbeat::run);
        } catch (RuntimeException e) {
            LOG.warn("Background task failed: {}", e.toString(), e);
        }
    }

    private void onState(Backend.MachineState state) {
        guarded(() -> workers.onState(state));
    }

    /**
     * Looks at the last work snapshot again in a second: a message this instance has not taken may be
     * takeable by then (another instance's lease ran out, a released message). One timer at a time,
     * and none while nothing waits to be looked at again.
     */
    private void armRecheck() {
        if (recheckArmed.compareAndSet(false, true)) {
            try {
                scheduler.schedule(() -> {
                    recheckArmed.set(false);
                    guarded(dispatcher::reevaluate);
                }, LEASE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException shuttingDown) {
                recheckArmed.set(false);
            }
        }
    }

    private void onWork(List<WorkItem> work) {
        guarded(() -> dispatcher.onWork(work));
    }

    private void resync() {
        if (!lifecycle.accepting()) {
            return;
        }
        Backend.MachineState state;
        List<WorkItem> work;
        try {
            state = backend.fetchState();
            work = backend.fetchWork();
        } catch (BackendException.Unauthorized e) {
            // These queries name this machine only: the token itself is no longer accepted.
            lifecycle.revoke();
            return;
        } catch (BackendException.Superseded e) {
            lifecycle.supersede(e.getMessage());
            return;
        } catch (BackendException e) {
            LOG.debug("Resync skipped: {}", e.getMessage());
            return;
        }
        guarded(() -> {
            workers.onState(state);
            dispatcher.onWork(work);
        });
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is exiting already; the hook runs anyway and stopping twice is harmless.
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            LOG.debug("Closing {} failed: {}", resource, e.toString());
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
