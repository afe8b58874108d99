package com.opencodeworker.application;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.Machine;
import com.opencodeworker.domain.MachineId;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces this worker instance to the backend: reads the machine's state first (a quick check
 * of the URL and the token), then {@code machines:connect}. While the backend cannot be reached it
 * retries ({@link Retry}); a rejected token ends the worker with exit code 3.
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

    /** The machine and the state it had when it connected. */
    public record Connected(Machine machine, Backend.MachineState state) {
    }

    /**
     * Connects, retrying transient failures until {@code giveUp}; empty when it gave up.
     *
     * @throws WorkerException exit 3 when the token is rejected, exit 1 when the backend refuses otherwise
     */
    public Optional<Connected> connect(MachineId machine, Path root, Backend.ConnectRequest request,
                                       BooleanSupplier giveUp) throws InterruptedException {
        LOG.info("Connecting to Convex at {} as machine {}", convexUrl, machine);
        try {
            return Optional.of(retry.call("Connecting to Convex " + convexUrl,
                    cause -> "Failed to connect to Convex " + convexUrl + ": " + cause, () -> {
                        Backend.MachineState state = backend.fetchState();
                        Backend.ConnectResult result = backend.connect(request);
                        return new Connected(new Machine(machine, result.machineName(), root,
                                result.heartbeatIntervalMs(), result.leaseMs()), state);
                    }, giveUp));
        } catch (BackendException.WrongDeployment e) {
            throw new WorkerException(ExitCode.INVALID_INPUT, convexUrl + " answers, but is not a Convex deployment"
                    + " with the worker's functions (" + e.getMessage() + "): check the deployment URL"
                    + " (https://<name>.convex.cloud) and that the project's functions are deployed there", e);
        } catch (BackendException.Unauthorized e) {
            throw new WorkerException(ExitCode.AUTH_REJECTED, "Machine token rejected by " + convexUrl
                    + ": check the token of machine " + machine + " in the web app", e);
        } catch (BackendException e) {
            if (e.retryable()) {
                return Optional.empty();
            }
            throw new WorkerException(ExitCode.FAILURE, "Convex " + convexUrl + " refused the connection: "
                    + e.getMessage(), e);
        }
    }
}
