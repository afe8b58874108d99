package com.opencodeworker.application;

import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@code machines:heartbeat}, which keeps the machine online and renews the leases of the
 * messages this instance holds. Logs when heartbeats start failing and when they recover.
 * All mutable state is guarded by {@code this}.
 */
public final class SendHeartbeat {
    private static final Logger LOG = LoggerFactory.getLogger(SendHeartbeat.class);

    private final Backend backend;
    private final SessionProcesses processes;
    private final WorkerLifecycle lifecycle;
    private int failures;

    public SendHeartbeat(Backend backend, SessionProcesses processes, WorkerLifecycle lifecycle) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.processes = Objects.requireNonNull(processes, "processes");
        this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
    }

    public synchronized void run() {
        try {
            backend.heartbeat(processes.running());
            if (failures > 0) {
                LOG.info("Heartbeats reach Convex again (after {} failed)", failures);
            }
            failures = 0;
        } catch (BackendException.Superseded e) {
            lifecycle.supersede(e.getMessage());
        } catch (BackendException.Unauthorized e) {
            lifecycle.revoke();
        } catch (BackendException e) {
            if (failures == 0) {
                LOG.warn("Heartbeat failed: {} (retrying every interval; leases may expire)", e.getMessage());
            }
            failures++;
        }
    }
}
