package com.opencodeworker.presentation;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.PermissionPolicy;
import com.opencodeworker.domain.QuotedText;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.StoredConfig;
import com.opencodeworker.infrastructure.config.ConfigResolver;
import com.opencodeworker.infrastructure.config.EnvironmentSource;
import com.opencodeworker.infrastructure.config.InstanceLock;
import com.opencodeworker.infrastructure.config.JsonFileConfigStore;
import com.opencodeworker.infrastructure.config.SettingKey;
import com.opencodeworker.infrastructure.config.WorkerConfig;
import com.opencodeworker.infrastructure.opencode.OpenCodeOptions;
import com.opencodeworker.infrastructure.opencode.OpenCodeRuntime;
import com.opencodeworker.presentation.service.ServiceCommand;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code worker} command: resolves the settings (asking for them on the first start in a
 * terminal), stores what the next start needs, and hands over to the {@link WorkerRunner}.
 * Every failure becomes one line on stderr and an exit code; the stack trace only with {@code --verbose}.
 */
@Command(name = "opencode-worker", mixinStandardHelpOptions = true, versionProvider = WorkerVersion.class, sortOptions = false,
        usageHelpWidth = 100,
        description = {
            "Runs OpenCode assistants on this machine for a Convex-backed web app: it connects with the machine"
                    + " token, receives chat messages and streams OpenCode's replies back.",
            "",
            "Each setting comes from the first of: its flag, its environment variable, the .env file in the working"
                    + " directory, the .env file in the config directory, the config file (token, root directory and"
                    + " Convex URL only), its default.",
            ""},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  normal stop",
            "  1  unexpected failure",
            "  2  invalid input or configuration",
            "  3  authentication rejected (the machine token was not accepted)",
            "  4  superseded by another worker with the same token",
            "  5  another worker is already running with the same config file on this host"})
public final class WorkerCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerCommand.class);

    @Option(names = "--token", paramLabel = "<machine_id>:<machine_secret>",
            description = "Machine token from the web app (env MACHINE_TOKEN). Stored in the config file.")
    private String token;

    @Option(names = "--convex-url", paramLabel = "<url>",
            description = "Convex deployment URL, https://<name>.convex.cloud (env CONVEX_URL; required once,"
                    + " then stored).")
    private String convexUrl;

    @Option(names = "--root", paramLabel = "<dir>",
            description = "Root directory; worker directories lie inside it (env ROOT_DIRECTORY; first run default:"
                    + " your home directory, then stored).")
    private String root;

    @Option(names = "--config", paramLabel = "<file>",
            description = "Config file (env CONFIG_PATH; default: config.json in $XDG_CONFIG_HOME/opencode-worker,"
                    + " ~/.config/opencode-worker or ~/Library/Application Support/opencode-worker; an old"
                    + " ./.worker-config.json is still read).")
    private String config;

    @Option(names = "--idle-timeout", paramLabel = "<ms>",
            description = "Stop a session's OpenCode process after this long without activity (env IDLE_TIMEOUT;"
                    + " default: 300000).")
    private String idleTimeout;

    @Option(names = "--sync-interval", paramLabel = "<ms>",
            description = "Re-read the state from Convex this often (env SYNC_INTERVAL; default: 30000).")
    private String syncInterval;

    @Option(names = "--opencode-bin", paramLabel = "<path>",
            description = "OpenCode executable, a path or a name on the PATH (env OPENCODE_BIN; default: opencode"
                    + " on the PATH).")
    private String opencodeBin;

    @Option(names = "--max-sessions", paramLabel = "<n>",
            description = "Most OpenCode processes running at once, 1 to 64 (env MAX_SESSIONS; default: 8).")
    private String maxSessions;

    @Option(names = "--shutdown-grace", paramLabel = "<ms>",
            description = "On stop, wait this long for replies in progress (env SHUTDOWN_GRACE; default: 30000).")
    private String shutdownGrace;

    @Option(names = "--permission-policy", paramLabel = "<policy>",
            description = "Answer to OpenCode's permission requests: default, read-only or allow-all"
                    + " (env PERMISSION_POLICY; default: default).")
    private String permissionPolicy;

    @Option(names = "--process-mode", paramLabel = "<mode>",
            description = "One OpenCode server per chat session (per-session) or per worker directory (per-directory)"
                    + " (env PROCESS_MODE; default: per-session).")
    private String processMode;

    @Option(names = "--verbose", description = "Log debug details (with thread and class), the function of every"
            + " Convex call, and show stack traces of errors.")
    private boolean verbose;

    @Option(names = "--log-file", paramLabel = "<file>",
            description = "Log to this file instead of stderr, rotated at 10 MB (the last 5 kept as <file>.1 ...).")
    private String logFile;

    @Option(names = "--log-format", paramLabel = "<format>",
            description = "text (default) or json (one JSON object per line).")
    private String logFormat;

    @Option(names = "--dry-run", description = "Check the settings, OpenCode, Convex and every worker directory, list"
            + " every problem, and exit without starting or storing anything.")
    private boolean dryRun;

    @Spec
    private CommandSpec spec;

    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final Terminal terminal;
    private final WorkerRunner runner;
    /** Held while the worker runs with its config file; null in a dry run. */
    private InstanceLock lock;

    /**
     * @param environment the process environment (tests pass their own)
     * @param workingDirectory where the first {@code .env} and the old default config file are, and relative paths start
     */
    public WorkerCommand(Map<String, String> environment, Path workingDirectory, Terminal terminal, WorkerRunner runner) {
        this.environment = Map.copyOf(environment);
        this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
        this.terminal = Objects.requireNonNull(terminal, "terminal");
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    /** A command line for this command whose parameter errors are one line, a hint to {@code --help}, and exit 2. */
    public CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(this);
        commandLine.addSubcommand(new StatusCommand(environment, workingDirectory));
        commandLine.addSubcommand(new ServiceCommand(environment, workingDirectory, System.getProperty("os.name", ""),
                ServiceCommand.ServiceManager.system()));
        commandLine.setExpandAtFiles(false);
        commandLine.setParameterExceptionHandler(WorkerCommand::parameterError);
        return commandLine;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            checkLogFormat();
            if (dryRun) {
                EnvironmentSource source = EnvironmentSource.load(environment, workingDirectory);
                return new DryRunChecks(new ConfigResolver(flags(), source, workingDirectory), workingDirectory,
                        source.home(), verbose).run(spec.commandLine().getOut());
            }
            Resolved resolved = resolveAndStore();
            WorkerConfig config = resolved.config();
            LOG.info("opencode-worker {} starting: config {}, root {}, permission policy {}, up to {} OpenCode processes",
                    WorkerVersion.current(), config.configPath(), config.rootDirectory(),
                    config.permissionPolicy().wireName(), config.maxSessions());
            return runner.run(config, resolved.storeWhenAccepted()).code();
        } catch (WorkerException e) {
            report(err, Redaction.secrets(e.getMessage()), e);
            return e.exitCode().code();
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
            report(err, "Unexpected failure: " + Redaction.secrets(message)
                    + (verbose ? "" : " (run with --verbose for details)"), e);
            return ExitCode.FAILURE.code();
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }

    /** The settings to run with, and what to store once the backend accepted the token. */
    private record Resolved(WorkerConfig config, Runnable storeWhenAccepted) {
    }

    /** Resolves the settings; unless this is a dry run, first takes the config file's {@link #lock}. */
    private Resolved resolveAndStore() {
        EnvironmentSource source = EnvironmentSource.load(environment, workingDirectory);
        ConfigResolver resolver = new ConfigResolver(flags(), source, workingDirectory);
        if (!dryRun) {
            // Before any question: a second worker with this config refuses without asking anything.
            lock = InstanceLock.acquire(resolver.configPath());
        }
        JsonFileConfigStore store = new JsonFileConfigStore(resolver.configPath());
        StoredConfig stored = store.load().orElse(StoredConfig.empty());
        StoredConfig known = stored;
        boolean asked = false;
        if (resolver.needsFirstRun(stored) && terminal.isInteractive()) {
            // No questions when the worker could not run anyway.
            runtimeFor(resolver).checkAvailable();
            FirstRunPrompt.Questions questions = new FirstRunPrompt.Questions(
                    resolver.find(SettingKey.TOKEN, stored).isEmpty(),
                    resolver.find(SettingKey.ROOT_DIRECTORY, stored).isEmpty(),
                    resolver.find(SettingKey.CONVEX_URL, stored).isEmpty());
            known = new FirstRunPrompt(terminal, workingDirectory, source.home(), resolver.defaultRoot())
                    .ask(questions, stored);
            asked = true;
        }
        WorkerConfig resolved = resolver.resolve(known, verbose);
        StoredConfig remembered = ConfigResolver.remembered(known, resolved);
        if (dryRun || remembered.equals(stored)) {
            return new Resolved(resolved, () -> { });
        }
        boolean announce = asked;
        // Saved only once Convex accepted the token and URL: a mistyped answer never lands in the file,
        // and a stored token is never replaced by one the backend has not accepted.
        Runnable save = () -> {
            store.save(remembered);
            LOG.info("Stored machine token {} in {}", resolved.token(), store.file());
            if (announce) {
                terminal.println("Saved to " + store.file() + " (readable by you only); the next start will not ask.");
            }
        };
        return new Resolved(resolved, save);
    }

    /** Checks OpenCode as the worker would find it (flag, environment, or the PATH). */
    private OpenCodeRuntime runtimeFor(ConfigResolver resolver) {
        Map<String, String> path = environment.containsKey("PATH") ? Map.of("PATH", environment.get("PATH")) : Map.of();
        return new OpenCodeRuntime(resolver.opencodeBinary(), PermissionPolicy.DEFAULT, path, OpenCodeOptions.defaults());
    }

    private void checkLogFormat() {
        if (logFormat != null && !List.of("text", "json").contains(logFormat.strip().toLowerCase(Locale.ROOT))) {
            throw new WorkerException(ExitCode.INVALID_INPUT, "Invalid log format " + QuotedText.quote(logFormat)
                    + " (from --log-format): expected text or json");
        }
        if (logFile != null && logFile.isBlank()) {
            throw new WorkerException(ExitCode.INVALID_INPUT, "Invalid log file \"\" (from --log-file): it is empty");
        }
    }

    private Map<SettingKey, String> flags() {
        Map<SettingKey, String> flags = new EnumMap<>(SettingKey.class);
        putIfGiven(flags, SettingKey.TOKEN, token);
        putIfGiven(flags, SettingKey.CONVEX_URL, convexUrl);
        putIfGiven(flags, SettingKey.ROOT_DIRECTORY, root);
        putIfGiven(flags, SettingKey.CONFIG_PATH, config);
        putIfGiven(flags, SettingKey.IDLE_TIMEOUT, idleTimeout);
        putIfGiven(flags, SettingKey.SYNC_INTERVAL, syncInterval);
        putIfGiven(flags, SettingKey.OPENCODE_BIN, opencodeBin);
        putIfGiven(flags, SettingKey.MAX_SESSIONS, maxSessions);
        putIfGiven(flags, SettingKey.SHUTDOWN_GRACE, shutdownGrace);
        putIfGiven(flags, SettingKey.PERMISSION_POLICY, permissionPolicy);
        putIfGiven(flags, SettingKey.PROCESS_MODE, processMode);
        return flags;
    }

    private static void putIfGiven(Map<SettingKey, String> flags, SettingKey key, String value) {
        if (value != null) {
            flags.put(key, value);
        }
    }

    private void report(PrintWriter err, String line, Exception e) {
        err.println(line);
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
    }

    private static int parameterError(ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println(Redaction.secrets(e.getMessage()));
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try --help for the options.");
        err.flush();
        return ExitCode.INVALID_INPUT.code();
    }
}
