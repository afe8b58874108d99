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
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
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
        InstanceId instance = InstanceId.random();
        OpenCodeRuntime runtime = new OpenCodeRuntime(config.opencodeBin(), config.permissionPolicy(),
                openCodeEnvironment, openCodeOptions.apply(OpenCodeOptions.defaults()));
        ConvexClient client = ConvexClient.connect(convexOptions.apply(ConvexClientOptions.defaults(config.convexUrl())));
        MachineServer.Settings settings = new MachineServer.Settings(config.token().machineId(), instance,
                config.convexUrl(), config.rootDirectory(), config.idleTimeout(), config.syncInterval(),
                config.maxSessions(), config.shutdownGrace(), WorkerVersion.current(), hostname(), platform(),
                config.processMode());
        return new MachineServer(settings, new ConvexBackend(client, config.token(), instance), runtime,
                Clock.system(), Sleeper.system(), client);
    }

    @Override
    public ExitCode run(WorkerConfig config) {
        return run(config, () -> { });
    }

    @Override
    public ExitCode run(WorkerConfig config, Runnable onAccepted) {
        MachineServer server = create(config);
        if (handleSignals) {
            StopSignals.install(server::requestStop);
        }
        try {
            return server.run(onAccepted);
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
