package com.opencodeworker.application;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.Machine;
import com.opencodeworker.domain.MachineId;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces this worker instance to the backend: reads the machine's state first (a quick check
 * of the URL and the token), then {@code machines:connect}. While the backend cannot be reached it
 * retries with jittered backoff, logging when the cause changes, not every attempt; a rejected
 * token ends the worker with exit code 3.
 */
public final class ConnectMachine {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectMachine.class);

    private final Backend backend;
    private final Backoff backoff;
    private final Sleeper sleeper;
    private final String convexUrl;

    public ConnectMachine(Backend backend, Backoff backoff, Sleeper sleeper, String convexUrl) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
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
        int failures = 0;
        String lastCause = null;
        while (!giveUp.getAsBoolean()) {
            try {
                Backend.MachineState state = backend.fetchState();
                Backend.ConnectResult result = backend.connect(request);
                if (failures > 0) {
                    LOG.info("Reached Convex at {} after {} failed attempt{}", convexUrl, failures,
                            failures == 1 ? "" : "s");
                }
                return Optional.of(new Connected(new Machine(machine, result.machineName(), root,
                        result.heartbeatIntervalMs(), result.leaseMs()), state));
            } catch (BackendException.Unauthorized e) {
                throw new WorkerException(ExitCode.AUTH_REJECTED, "Machine token rejected by " + convexUrl
                        + ": check the token of machine " + machine + " in the web app", e);
            } catch (BackendException e) {
                if (!e.retryable()) {
                    throw new WorkerException(ExitCode.FAILURE, "Convex " + convexUrl + " refused the connection: "
                            + e.getMessage(), e);
                }
                Duration delay = backoff.delay(failures);
                String cause = innermost(e.getMessage());
                if (!cause.equals(lastCause)) {
                    LOG.warn("Failed to connect to Convex {}: {}; retrying with backoff (next in {} ms)", convexUrl,
                            cause, delay.toMillis());
                    lastCause = cause;
                }
                failures++;
                sleeper.sleep(delay);
            }
        }
        return Optional.empty();
    }

    /** "machines:state failed (...): query machines:state failed: Connection refused" → "Connection refused". */
    private static String innermost(String message) {
        String text = message == null ? "unknown error" : message;
        int at = text.lastIndexOf(" failed: ");
        return at >= 0 ? text.substring(at + " failed: ".length()) : text;
    }
}
