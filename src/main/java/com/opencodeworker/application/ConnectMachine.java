package com.opencodeworker.application;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.Machine;
import com.opencodeworker.domain.MachineId;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces this worker instance to the backend ({@code machines:connect}), retrying while the
 * backend cannot be reached; a rejected token ends the worker with exit code 3.
 */
public final class ConnectMachine {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectMachine.class);

    private final Backend backend;
    private final Retry retry;
    private final String convexUrl;

    public ConnectMachine(Backend backend, Retry retry, String convexUrl) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.convexUrl = Objects.requireNonNull(convexUrl, "convexUrl");
    }

    /**
     * Connects, retrying transient failures until {@code giveUp}.
     *
     * @throws WorkerException exit 3 when the token is rejected, exit 1 when the backend refuses otherwise
     */
    public Machine connect(MachineId machine, Path root, Backend.ConnectRequest request, BooleanSupplier giveUp)
            throws InterruptedException {
        LOG.info("Connecting to Convex at {} as {}", convexUrl, machine);
        Backend.ConnectResult result;
        try {
            result = retry.call("Connecting to Convex " + convexUrl, () -> backend.connect(request), giveUp);
        } catch (BackendException.Unauthorized e) {
            throw new WorkerException(ExitCode.AUTH_REJECTED, "Machine token rejected by " + convexUrl
                    + ": check the token of machine " + machine + " in the web app", e);
        } catch (BackendException e) {
            if (e.retryable()) {
                throw new WorkerException(ExitCode.FAILURE, "Failed to connect to Convex " + convexUrl + ": "
                        + e.getMessage(), e);
            }
            throw new WorkerException(ExitCode.FAILURE, "Convex " + convexUrl + " refused the connection: "
                    + e.getMessage(), e);
        }
        return new Machine(machine, result.machineName(), root, result.heartbeatIntervalMs(), result.leaseMs());
    }
}
