package com.opencodeworker.presentation.service;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.StoredConfig;
import com.opencodeworker.infrastructure.config.ConfigResolver;
import com.opencodeworker.infrastructure.config.EnvironmentSource;
import com.opencodeworker.infrastructure.config.JsonFileConfigStore;
import com.opencodeworker.infrastructure.config.SettingKey;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code opencode-worker service install|uninstall}: runs the worker under the user's service
 * manager, a systemd user unit on Linux or a launchd agent on macOS, with the config file the
 * first run stored (the service has no terminal to ask in).
 */
@Command(name = "service", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        description = "Runs the worker as a service of your user: a systemd user unit on Linux, a launchd agent on"
                + " macOS. Run the worker once in a terminal first, so that the config file holds the token and URL.")
public final class ServiceCommand {
    private static final Duration STOP_MARGIN = Duration.ofSeconds(30);
    private static final Duration DEFAULT_GRACE = ConfigResolver.DEFAULT_SHUTDOWN_GRACE;

    @Spec
    private CommandSpec spec;

    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final String osName;
    private final ServiceManager manager;

    public ServiceCommand(Map<String, String> environment, Path workingDirectory, String osName, ServiceManager manager) {
        this.environment = Map.copyOf(environment);
        this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
        this.osName = osName;
        this.manager = manager;
    }

    /** Runs a command of the service manager ({@code systemctl}, {@code launchctl}); tests record instead. */
    @FunctionalInterface
    public interface ServiceManager {
        /** Runs {@code command}; returns its exit code and output. */
        Result run(List<String> command) throws IOException, InterruptedException;

        record Result(int exitCode, String output) {
        }

        /** The real one: runs the command and waits up to a minute. */
        static ServiceManager system() {
            return command -> {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                process.getOutputStream().close();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return new Result(-1, "timed out");
                }
                return new Result(process.exitValue(), output);
            };
        }
    }

    private boolean macOs() {
        return osName.toLowerCase(Locale.ROOT).startsWith("mac");
    }

    private Path home() {
        return Optional.ofNullable(environment.get("HOME")).filter(h -> !h.isBlank()).map(Path::of)
                .orElseThrow(() -> new WorkerException(ExitCode.INVALID_INPUT, "No home directory (HOME is unset):"
                        + " a user service needs one"));
    }

    /** Where the unit or agent file goes. */
    Path serviceFile() {
        if (macOs()) {
            return home().resolve("Library/LaunchAgents").resolve(LaunchdAgent.FILE);
        }
        Path configHome = Optional.ofNullable(environment.get("XDG_CONFIG_HOME")).filter(x -> !x.isBlank())
                .map(Path::of).filter(Path::isAbsolute).orElseGet(() -> home().resolve(".config"));
        return configHome.resolve("systemd/user").resolve(SystemdUnit.NAME);
    }

    private Path configFile(String config) {
        return new ConfigResolver(config == null ? Map.of() : Map.of(SettingKey.CONFIG_PATH, config),
                EnvironmentSource.load(environment, workingDirectory), workingDirectory).configPath();
    }

    /** The java that runs this worker, with the daemon's JVM options and its class path (the jar), made absolute. */
    private List<String> workerCommand(Path configFile) {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> workingDirectory.resolve(entry).normalize().toString())
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(DaemonJvmOptions.OPTIONS);
        command.addAll(List.of("-cp", classPath, "com.opencodeworker.Main", "--config", configFile.toString()));
        return command;
    }

    @Command(name = "install", mixinStandardHelpOptions = true, usageHelpWidth = 100,
            description = "Writes the service file and (unless --no-start) enables and starts the service.")
    int install(@Option(names = "--config", paramLabel = "<file>",
                        description = "Config file the service runs with (default: as the worker's).") String config,
                @Option(names = "--no-start", description = "Only write the service file.") boolean noStart) {
        PrintWriter out = spec.commandLine().getOut();
        return reported("Cannot write the service file", ExitCode.INVALID_INPUT, () -> {
            Path configFile = configFile(config);
            StoredConfig stored = new JsonFileConfigStore(configFile).load().orElse(StoredConfig.empty());
            if (stored.token().isEmpty() || stored.convexUrl().isEmpty()) {
                throw new WorkerException(ExitCode.INVALID_INPUT, "Nothing to run as a service yet: " + configFile
                        + " holds no machine token and Convex URL; run opencode-worker once in a terminal first");
            }
            Path file = serviceFile();
            Path logFile = home().resolve("Library/Logs/opencode-worker.log");
            ServiceDefinition service = new ServiceDefinition(workerCommand(configFile),
                    environment.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"), home(),
                    DEFAULT_GRACE.plus(STOP_MARGIN), logFile);
            Files.createDirectories(file.getParent());
            Files.writeString(file, macOs() ? LaunchdAgent.render(service) : SystemdUnit.render(service));
            out.println("Wrote " + file);
            if (noStart) {
                out.println(macOs() ? "Start it with: launchctl load -w " + file
                        : "Start it with: systemctl --user daemon-reload && systemctl --user enable --now "
                        + SystemdUnit.NAME);
            } else if (macOs()) {
                manage(List.of("launchctl", "load", "-w", file.toString()));
                out.println("Started; the log is " + logFile);
            } else {
                manage(List.of("systemctl", "--user", "daemon-reload"));
                manage(List.of("systemctl", "--user", "enable", "--now", SystemdUnit.NAME));
                out.println("Started; follow the log with: journalctl --user -u opencode-worker -f");
                out.println("To keep it running while you are logged out: loginctl enable-linger "
                        + environment.getOrDefault("USER", "$USER"));
            }
            out.flush();
            return 0;
        });
    }

    @Command(name = "uninstall", mixinStandardHelpOptions = true, usageHelpWidth = 100,
            description = "Stops and disables the service (unless --no-stop) and removes its file.")
    int uninstall(@Option(names = "--no-stop", description = "Only remove the service file.") boolean noStop) {
        PrintWriter out = spec.commandLine().getOut();
        return reported("Cannot remove the service file", ExitCode.FAILURE, () -> {
            Path file = serviceFile();
            if (!Files.exists(file)) {
                out.println("No service installed (" + file + " does not exist)");
                out.flush();
                return 0;
            }
            if (!noStop) {
                if (macOs()) {
                    manage(List.of("launchctl", "unload", "-w", file.toString()));
                } else {
                    manage(List.of("systemctl", "--user", "disable", "--now", SystemdUnit.NAME));
                }
            }
            Files.delete(file);
            if (!noStop && !macOs()) {
                manage(List.of("systemctl", "--user", "daemon-reload"));
            }
            out.println("Removed " + file);
            out.flush();
            return 0;
        });
    }

    /** One step of the service's set-up, which may fail on a file. */
    private interface Step {
        int run() throws IOException;
    }

    /** Runs {@code step}; a failure is one line on stderr and its exit code ({@code ioCode} for a file's). */
    private int reported(String ioFailure, ExitCode ioCode, Step step) {
        PrintWriter err = spec.commandLine().getErr();
        try {
            return step.run();
        } catch (WorkerException e) {
            err.println(e.getMessage());
            err.flush();
            return e.exitCode().code();
        } catch (IOException e) {
            err.println(ioFailure + ": " + e.getMessage());
            err.flush();
            return ioCode.code();
        }
    }

    private void manage(List<String> command) {
        ServiceManager.Result result;
        try {
            result = manager.run(command);
        } catch (IOException e) {
            throw new WorkerException(ExitCode.FAILURE, String.join(" ", command) + " could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerException(ExitCode.FAILURE, String.join(" ", command) + " was interrupted");
        }
        if (result.exitCode() != 0) {
            List<String> words = new ArrayList<>(command);
            throw new WorkerException(ExitCode.FAILURE, String.join(" ", words) + " failed (exit " + result.exitCode()
                    + "): " + result.output());
        }
    }
}
