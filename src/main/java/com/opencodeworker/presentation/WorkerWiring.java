package com.opencodeworker.presentation;

import com.opencodeworker.application.Sleeper;
import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.InstanceId;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.Clock;
import com.opencodeworker.infrastructure.config.WorkerConfig;
import com.opencodeworker.infrastructure.convex.ConvexBackend;
import com.opencodeworker.infrastructure.convex.client.ConvexClient;
import com.opencodeworker.infrastructure.convex.client.ConvexClientOptions;
import com.opencodeworker.infrastructure.opencode.OpenCodeOptions;
import com.opencodeworker.infrastructure.opencode.OpenCodeRuntime;
import com.opencodeworker.presentation.status.ObservedBackend;
import com.opencodeworker.presentation.status.ObservedRuntime;
import com.opencodeworker.presentation.status.StatusBoard;
import com.opencodeworker.presentation.status.StatusFile;
import com.opencodeworker.presentation.status.StatusServer;
import com.opencodeworker.domain.port.AssistantRuntime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;

/**
 * Builds the real adapters (Convex client and backend, OpenCode runtime) for a configuration and
 * runs a {@link MachineServer} on them. Tests adjust timeouts and OpenCode's environment here.
 */
public final class WorkerWiring implements WorkerRunner {
    private final Map<String, String> openCodeEnvironment;
    private final UnaryOperator<ConvexClientOptions> convexOptions;
    private final UnaryOperator<OpenCodeOptions> openCodeOptions;
    private final boolean handleSignals;

    public WorkerWiring(Map<String, String> openCodeEnvironment, UnaryOperator<ConvexClientOptions> convexOptions,
                        UnaryOperator<OpenCodeOptions> openCodeOptions, boolean handleSignals) {
        this.openCodeEnvironment = Map.copyOf(openCodeEnvironment);
        this.convexOptions = Objects.requireNonNull(convexOptions, "convexOptions");
        this.openCodeOptions = Objects.requireNonNull(openCodeOptions, "openCodeOptions");
        this.handleSignals = handleSignals;
    }

    /** The wiring of {@code java -jar worker.jar}: defaults everywhere, stop signals handled. */
    public static WorkerWiring standard() {
        return new WorkerWiring(Map.of(), o -> o, o -> o, true);
    }

    /** A server for {@code config}, not started yet. */
    public MachineServer create(WorkerConfig config) {
        return create(config, board(config));
    }

    private static StatusBoard board(WorkerConfig config) {
        return new StatusBoard(WorkerVersion.current(), config.token().machineId().value(),
                config.configPath().toString(), config.rootDirectory().toString(), Instant.now());
    }

    /** A server whose backend and OpenCode calls are shown on {@code board}. */
    private MachineServer create(WorkerConfig config, StatusBoard board) {
        InstanceId instance = InstanceId.random();
        OpenCodeRuntime runtime = new OpenCodeRuntime(config.opencodeBin(), config.permissionPolicy(),
                openCodeEnvironment, openCodeOptions.apply(OpenCodeOptions.defaults()));
        ConvexClient client = ConvexClient.connect(convexOptions.apply(ConvexClientOptions.defaults(config.convexUrl())));
        MachineServer.Settings settings = new MachineServer.Settings(config.token().machineId(), instance,
                config.convexUrl(), config.rootDirectory(), config.idleTimeout(), config.syncInterval(),
                config.maxSessions(), config.shutdownGrace(), WorkerVersion.current(), hostname(), platform(),
                config.processMode());
        ScheduledExecutorService diagnosticsTimer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "reply-diagnostics");
            thread.setDaemon(true);
            return thread;
        });
        AssistantRuntime diagnosed = new ReplyDiagnostics(runtime, diagnosticsTimer, ReplyDiagnostics.QUIET);
        return new MachineServer(settings,
                new ObservedBackend(new ConvexBackend(client, config.token(), instance), board),
                new ObservedRuntime(diagnosed, board), Clock.system(), Sleeper.system(), client,
                diagnosticsTimer::shutdownNow);
    }

    @Override
    public ExitCode run(WorkerConfig config) {
        return run(config, () -> { });
    }

    @Override
    public ExitCode run(WorkerConfig config, Runnable onAccepted) {
        StatusBoard board = board(config);
        MachineServer server = create(config, board);
        if (handleSignals) {
            StopSignals.install(server::requestStop);
        }
        try (StatusServer status = StatusServer.start(board, StatusFile.forConfig(config.configPath()))) {
            return server.run(onAccepted);
        } catch (IOException e) {
            throw new WorkerException(ExitCode.INVALID_INPUT, "Cannot start the status endpoint: cannot write "
                    + StatusFile.forConfig(config.configPath()).path() + " (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerException(ExitCode.FAILURE, "Interrupted", e);
        }
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return System.getenv().getOrDefault("HOSTNAME", "unknown");
        }
    }

    private static String platform() {
        return System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT).replace(' ', '-') + "-"
                + System.getProperty("os.arch", "unknown");
    }
}
