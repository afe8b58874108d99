package com.opencodeworker.application;

import com.opencodeworker.domain.Machine;
import com.opencodeworker.domain.Session;
import com.opencodeworker.domain.SessionStatus;
import com.opencodeworker.domain.port.Backend;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes over what the backend holds for this machine at start: reports every worker's directory
 * (ready or error) and marks idle the sessions an earlier instance left active. Stateless.
 */
public final class RecoverState {
    private static final Logger LOG = LoggerFactory.getLogger(RecoverState.class);

    private final ReconcileWorkers workers;
    private final ReapIdleSessions reaper;
    private final Path realRoot;

    public RecoverState(ReconcileWorkers workers, ReapIdleSessions reaper, Path realRoot) {
        this.workers = Objects.requireNonNull(workers, "workers");
        this.reaper = Objects.requireNonNull(reaper, "reaper");
        this.realRoot = Objects.requireNonNull(realRoot, "realRoot");
    }

    /** Recovers the state the machine had when it connected. */
    public void recover(ConnectMachine.Connected connected) {
        Machine machine = connected.machine();
        Backend.MachineState state = connected.state();
        workers.onState(state);
        List<Session> orphaned = state.sessions().stream().filter(s -> s.status() == SessionStatus.ACTIVE).toList();
        // No process serves them any more: an earlier instance stopped without marking them idle.
        orphaned.forEach(s -> reaper.markIdle(s.id()));
        LOG.info("Connected as machine \"{}\" ({}); root {}; {} worker{} and {} session{} recovered ({} marked idle)",
                machine.name(), machine.id(), realRoot, state.workers().size(),
                plural(state.workers().size()), state.sessions().size(), plural(state.sessions().size()),
                orphaned.size());
    }

    private static String plural(long n) {
        return n == 1 ? "" : "s";
    }
}
