package com.opencodeworker.application;

import com.opencodeworker.domain.Worker;
import com.opencodeworker.domain.WorkerId;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.domain.port.WorkerDirectories;
import com.opencodeworker.domain.port.WorkerDirectoryException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the backend's view of each worker's directory true: for every worker of a
 * {@code machines:state} snapshot, resolves its directory inside the root and reports
 * {@code ready} or the error, once per change; removed workers have their sessions stopped.
 * All mutable state is guarded by {@code this}.
 */
public final class ReconcileWorkers {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcileWorkers.class);

    private final Backend backend;
    private final SessionProcesses processes;
    private final WorkerDirectories directories;
    private final Map<WorkerId, Report> reported = new HashMap<>();

    private record Report(String directory, Optional<String> error) {
    }

    public ReconcileWorkers(Backend backend, SessionProcesses processes, WorkerDirectories directories) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.processes = Objects.requireNonNull(processes, "processes");
        this.directories = Objects.requireNonNull(directories, "directories");
    }

    /** Takes a whole snapshot of {@code machines:state}. */
    public synchronized void onState(Backend.MachineState state) {
        Set<WorkerId> present = new HashSet<>();
        for (Worker worker : state.workers()) {
            present.add(worker.id());
            Optional<String> error = check(worker);
            Report report = new Report(worker.directory(), error);
            if (report.equals(reported.get(worker.id()))) {
                continue;
            }
            try {
                backend.setWorkerStatus(worker.id(), error);
                reported.put(worker.id(), report);
                if (error.isPresent()) {
                    LOG.warn("Worker {} ({}) is in error: {}", worker.name(), worker.id(), error.get());
                } else {
                    LOG.info("Worker {} ({}) ready in {}", worker.name(), worker.id(), worker.directory());
                }
            } catch (BackendException.Superseded e) {
                throw e;
            } catch (BackendException e) {
                LOG.warn("Could not report the status of worker {}: {} (will retry on the next sync)", worker.id(),
                        e.getMessage());
            }
        }
        for (WorkerId gone : Set.copyOf(reported.keySet())) {
            if (!present.contains(gone)) {
                reported.remove(gone);
                LOG.info("Worker {} was removed; stopping its sessions", gone);
                processes.stopWorker(gone);
            }
        }
    }

    private Optional<String> check(Worker worker) {
        try {
            directories.resolve(worker.directory());
            return Optional.empty();
        } catch (WorkerDirectoryException e) {
            return Optional.of(e.getMessage());
        }
    }
}
