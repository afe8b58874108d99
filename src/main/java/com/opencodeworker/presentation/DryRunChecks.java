package com.opencodeworker.presentation;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.InstanceId;
import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.domain.PermissionPolicy;
import com.opencodeworker.domain.Worker;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.domain.port.StoredConfig;
import com.opencodeworker.infrastructure.config.ConfigResolver;
import com.opencodeworker.infrastructure.config.ConvexUrl;
import com.opencodeworker.infrastructure.config.JsonFileConfigStore;
import com.opencodeworker.infrastructure.config.RootDirectory;
import com.opencodeworker.infrastructure.config.SettingKey;
import com.opencodeworker.infrastructure.config.WorkerConfig;
import com.opencodeworker.infrastructure.convex.ConvexBackend;
import com.opencodeworker.infrastructure.convex.client.ConvexClient;
import com.opencodeworker.infrastructure.convex.client.ConvexClientOptions;
import com.opencodeworker.infrastructure.filesystem.DirectoriesUnderRoot;
import com.opencodeworker.infrastructure.opencode.OpenCodeOptions;
import com.opencodeworker.infrastructure.opencode.OpenCodeRuntime;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code --dry-run}: checks everything the worker needs and lists every problem at once, without
 * starting or storing anything: the config file, token, Convex URL, root directory, OpenCode (found
 * and its version), the other settings, Convex reachable with the token accepted, and each worker's
 * directory. Exit 0 when all is well, else the exit code of the first problem (2, or 3 for a rejected token).
 */
final class DryRunChecks {
    private final ConfigResolver resolver;
    private final Path workingDirectory;
    private final Optional<String> home;
    private final boolean verbose;
    private final List<String> lines = new ArrayList<>();
    private Optional<ExitCode> firstProblem = Optional.empty();

    DryRunChecks(ConfigResolver resolver, Path workingDirectory, Optional<String> home, boolean verbose) {
        this.resolver = resolver;
        this.workingDirectory = workingDirectory;
        this.home = home;
        this.verbose = verbose;
    }

    int run(PrintWriter out) {
        out.println("Dry run: checking the settings, OpenCode and Convex (nothing is started or stored)");
        Path configPath = resolver.configPath();
        StoredConfig stored = check("config file", () -> {
            Optional<StoredConfig> loaded = new JsonFileConfigStore(configPath).load();
            return new Checked<>(loaded.orElse(StoredConfig.empty()), configPath + (loaded.isPresent() ? ""
                    : " (not there yet)"));
        }).orElse(StoredConfig.empty());
        Optional<MachineToken> token = check("machine token", () -> resolver.check(SettingKey.TOKEN, stored,
                MachineToken::parse).map(t -> new Checked<>(t, t.toString())).orElseThrow(
                () -> new WorkerException(ExitCode.INVALID_INPUT, ConfigResolver.NO_TOKEN)));
        Optional<String> url = check("Convex URL", () -> resolver.check(SettingKey.CONVEX_URL, stored,
                ConvexUrl::normalise).map(u -> new Checked<>(u, u)).orElseThrow(
                () -> new WorkerException(ExitCode.INVALID_INPUT, ConfigResolver.NO_CONVEX_URL)));
        Optional<Path> root = check("root directory", () -> {
            Path resolved = resolver.check(SettingKey.ROOT_DIRECTORY, stored,
                    raw -> RootDirectory.resolve(raw, workingDirectory, home)).orElseGet(
                    () -> RootDirectory.resolve(resolver.defaultRoot().toString(), workingDirectory, Optional.empty()));
            return new Checked<>(resolved, resolved.toString());
        });
        check("OpenCode", () -> {
            String found = new OpenCodeRuntime(resolver.opencodeBinary(), PermissionPolicy.DEFAULT, Map.of(),
                    OpenCodeOptions.defaults()).checkAvailable();
            return new Checked<>(found, found);
        });
        if (token.isPresent() && url.isPresent() && root.isPresent()) {
            check("other settings", () -> {
                WorkerConfig config = resolver.resolve(stored, verbose);
                return new Checked<>(config, "idle timeout " + config.idleTimeout().toMillis() + " ms, sync interval "
                        + config.syncInterval().toMillis() + " ms, up to " + config.maxSessions()
                        + " OpenCode processes, shutdown grace " + config.shutdownGrace().toMillis()
                        + " ms, permission policy " + config.permissionPolicy().wireName());
            });
            checkConvex(token.get(), url.get(), root.get());
        }
        lines.forEach(out::println);
        long problems = lines.stream().filter(l -> l.startsWith("  FAIL")).count();
        out.println(problems == 0 ? "All checks passed." : problems + " problem" + (problems == 1 ? "" : "s") + ".");
        out.flush();
        return firstProblem.map(ExitCode::code).orElse(0);
    }

    private void checkConvex(MachineToken token, String url, Path root) {
        Optional<Backend.MachineState> state;
        try (ConvexClient client = ConvexClient.connect(ConvexClientOptions.defaults(url))) {
            Backend backend = new ConvexBackend(client, token, InstanceId.random());
            state = check("Convex", () -> {
                try {
                    Backend.MachineState found = backend.fetchState();
                    return new Checked<>(found, url + " reachable, token accepted (" + found.workers().size()
                            + " worker" + (found.workers().size() == 1 ? "" : "s") + ")");
                } catch (BackendException.Unauthorized e) {
                    throw new WorkerException(ExitCode.AUTH_REJECTED, "Machine token rejected by " + url
                            + ": check the token of machine " + token.machineId() + " in the web app");
                } catch (BackendException.WrongDeployment e) {
                    throw new WorkerException(ExitCode.INVALID_INPUT, url + " answers, but is not a Convex"
                            + " deployment with the worker's functions (" + e.getMessage() + ")");
                } catch (BackendException e) {
                    throw new WorkerException(ExitCode.INVALID_INPUT, url + " cannot be reached: " + e.getMessage());
                }
            });
        }
        DirectoriesUnderRoot directories = new DirectoriesUnderRoot(root);
        for (Worker worker : state.map(Backend.MachineState::workers).orElse(List.of())) {
            check("worker " + worker.name() + " (" + worker.id().value() + ")", () -> {
                Path directory = directories.resolve(worker.directory());
                return new Checked<>(directory, directory.toString());
            });
        }
    }

    private record Checked<T>(T value, String shown) {
    }

    /** Runs one check; records "ok" with what it found or "FAIL" with the one-line problem. */
    private <T> Optional<T> check(String what, Supplier<Checked<T>> check) {
        try {
            Checked<T> checked = check.get();
            lines.add(String.format("  ok    %-16s %s", what, checked.shown()));
            return Optional.of(checked.value());
        } catch (WorkerException e) {
            fail(what, e.getMessage(), e.exitCode());
        } catch (RuntimeException e) {
            fail(what, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), ExitCode.INVALID_INPUT);
        }
        return Optional.empty();
    }

    private void fail(String what, String problem, ExitCode code) {
        lines.add(String.format("  FAIL  %-16s %s", what, Redaction.secrets(problem)));
        if (firstProblem.isEmpty()) {
            firstProblem = Optional.of(code);
        }
    }
}
