package com.opencodeworker.infrastructure.config;

import com.opencodeworker.domain.QuotedText;
import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.domain.PermissionPolicy;
import com.opencodeworker.domain.ProcessMode;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.StoredConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Resolves the worker's settings. Each comes from the first place that has it: command-line flag,
 * environment, {@code .env}, config file (token, root directory and Convex URL only), default.
 * Every rejected value is a {@link WorkerException} (exit 2) of one line that says where it came from.
 */
public final class ConfigResolver {
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMillis(300_000);
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(30_000);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofMillis(30_000);
    public static final int DEFAULT_MAX_SESSIONS = 8;
    public static final PermissionPolicy DEFAULT_PERMISSION_POLICY = PermissionPolicy.DEFAULT;
    public static final ProcessMode DEFAULT_PROCESS_MODE = ProcessMode.PER_SESSION;
    public static final String NO_TOKEN = "No machine token: pass --token " + MachineToken.EXPECTED_FORM
            + ", set MACHINE_TOKEN, or run the worker once in a terminal to be asked for it";
    public static final String NO_CONVEX_URL = "No Convex URL: pass --convex-url https://<deployment>.convex.cloud,"
            + " set CONVEX_URL, or run the worker once in a terminal to be asked for it";

    private static final Pattern MILLIS = Pattern.compile("[0-9]{1,15}");
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,9}");

    private final Map<SettingKey, String> flags;
    private final EnvironmentSource environment;
    private final Path workingDirectory;

    /**
     * @param flags the values given on the command line
     * @param workingDirectory absolute; relative paths and the default root and config file are resolved against it
     */
    public ConfigResolver(Map<SettingKey, String> flags, EnvironmentSource environment, Path workingDirectory) {
        this.flags = flags.isEmpty() ? Map.of() : new EnumMap<>(flags);
        this.environment = Objects.requireNonNull(environment, "environment");
        this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
    }

    /** The config file: {@code --config}, {@code CONFIG_PATH}, or {@link ConfigLocations#defaultConfigFile()}. */
    public Path configPath() {
        return fromFlagOrEnvironment(SettingKey.CONFIG_PATH)
                .map(setting -> parse(setting, raw -> UserPath.resolve(raw, workingDirectory, environment.home())))
                .orElseGet(() -> ConfigLocations.of(environment, workingDirectory).defaultConfigFile());
    }

    /** The OpenCode binary given by flag or environment; empty means "opencode" on the PATH. */
    public Optional<Path> opencodeBinary() {
        return fromFlagOrEnvironment(SettingKey.OPENCODE_BIN).map(setting -> parse(setting, this::opencodeBinary));
    }

    /** Parses {@code key}'s value with {@code parser}; a rejected value is a one-line WorkerException (exit 2). */
    public <T> Optional<T> check(SettingKey key, StoredConfig stored, Function<String, T> parser) {
        return find(key, stored).map(setting -> parse(setting, parser));
    }

    /** The root directory when none is given or stored: the home directory, else the working directory. */
    public Path defaultRoot() {
        return environment.home().map(Path::of).filter(Path::isAbsolute).orElse(workingDirectory);
    }

    /** Where {@code key} is set, by precedence; empty when only its default applies. */
    public Optional<Setting> find(SettingKey key, StoredConfig stored) {
        return fromFlagOrEnvironment(key).or(() -> fromConfigFile(key, stored));
    }

    /** Whether the token and the Convex URL are known without asking. */
    public boolean needsFirstRun(StoredConfig stored) {
        return find(SettingKey.TOKEN, stored).isEmpty() || find(SettingKey.CONVEX_URL, stored).isEmpty();
    }

    /**
     * Resolves and validates every setting.
     *
     * @throws WorkerException (exit 2) naming the first missing or invalid setting
     */
    public WorkerConfig resolve(StoredConfig stored, boolean verbose) {
        Path configPath = configPath();
        MachineToken token = find(SettingKey.TOKEN, stored)
                .map(setting -> parse(setting, MachineToken::parse))
                .orElseThrow(() -> new WorkerException(ExitCode.INVALID_INPUT, NO_TOKEN));
        String convexUrl = find(SettingKey.CONVEX_URL, stored)
                .map(setting -> parse(setting, ConvexUrl::normalise))
                .orElseThrow(() -> new WorkerException(ExitCode.INVALID_INPUT, NO_CONVEX_URL));
        Path root = find(SettingKey.ROOT_DIRECTORY, stored)
                .map(setting -> parse(setting, raw -> RootDirectory.resolve(raw, workingDirectory, environment.home())))
                .orElseGet(() -> parse(new Setting(defaultRoot().toString(), "the default root directory"),
                        raw -> RootDirectory.resolve(raw, workingDirectory, Optional.empty())));
        return new WorkerConfig(token, convexUrl, root, configPath,
                millis(SettingKey.IDLE_TIMEOUT, DEFAULT_IDLE_TIMEOUT),
                millis(SettingKey.SYNC_INTERVAL, DEFAULT_SYNC_INTERVAL),
                fromFlagOrEnvironment(SettingKey.OPENCODE_BIN).map(setting -> parse(setting, this::opencodeBinary)),
                fromFlagOrEnvironment(SettingKey.MAX_SESSIONS).map(setting -> parse(setting, ConfigResolver::sessions))
                        .orElse(DEFAULT_MAX_SESSIONS),
                millis(SettingKey.SHUTDOWN_GRACE, DEFAULT_SHUTDOWN_GRACE),
                fromFlagOrEnvironment(SettingKey.PERMISSION_POLICY).map(setting -> parse(setting, PermissionPolicy::parse))
                        .orElse(DEFAULT_PERMISSION_POLICY),
                verbose,
                fromFlagOrEnvironment(SettingKey.PROCESS_MODE).map(setting -> parse(setting, ProcessMode::parse))
                        .orElse(DEFAULT_PROCESS_MODE));
    }

    /**
     * What the config file should hold after a run with {@code config}: the token in use (so the
     * next start needs none), and the root directory and Convex URL when none was stored yet.
     */
    public static StoredConfig remembered(StoredConfig stored, WorkerConfig config) {
        return new StoredConfig(Optional.of(config.token()),
                stored.rootDirectory().or(() -> Optional.of(config.rootDirectory().toString())),
                stored.convexUrl().or(() -> Optional.of(config.convexUrl())));
    }

    private Optional<Setting> fromFlagOrEnvironment(SettingKey key) {
        String flag = flags.get(key);
        if (flag != null) {
            return Optional.of(new Setting(flag, key.flag()));
        }
        return environment.lookup(key.variable());
    }

    private Optional<Setting> fromConfigFile(SettingKey key, StoredConfig stored) {
        Optional<String> value = switch (key) {
            case TOKEN -> stored.token().map(MachineToken::reveal);
            case ROOT_DIRECTORY -> stored.rootDirectory();
            case CONVEX_URL -> stored.convexUrl();
            default -> Optional.empty();
        };
        return value.map(raw -> new Setting(raw, "the config file " + configPath()));
    }

    private Duration millis(SettingKey key, Duration fallback) {
        return fromFlagOrEnvironment(key).map(setting -> parse(setting, raw -> {
            String value = raw.strip();
            if (!MILLIS.matcher(value).matches() || Long.parseLong(value) == 0) {
                throw new IllegalArgumentException("Invalid " + key.label() + " " + QuotedText.quote(raw)
                        + ": expected a positive number of milliseconds");
            }
            return Duration.ofMillis(Long.parseLong(value));
        })).orElse(fallback);
    }

    private static int sessions(String raw) {
        String value = raw.strip();
        if (!WHOLE_NUMBER.matcher(value).matches()
                || Integer.parseInt(value) < WorkerConfig.MIN_SESSIONS || Integer.parseInt(value) > WorkerConfig.MAX_SESSIONS) {
            throw new IllegalArgumentException("Invalid " + SettingKey.MAX_SESSIONS.label() + " " + QuotedText.quote(raw)
                    + ": expected a whole number from " + WorkerConfig.MIN_SESSIONS + " to " + WorkerConfig.MAX_SESSIONS);
        }
        return Integer.parseInt(value);
    }

    /** A bare name is looked up on the PATH; either way the result is an executable file. */
    private Path opencodeBinary(String raw) {
        String value = raw.strip();
        if (value.isEmpty()) {
            throw new IllegalArgumentException("Invalid OpenCode binary \"\": it is empty");
        }
        boolean isPath = value.contains("/") || value.contains(File.separator) || value.startsWith("~");
        if (!isPath) {
            return environment.searchPath().stream()
                    .map(directory -> Path.of(directory).resolve(value))
                    .filter(ConfigResolver::isExecutableFile)
                    .findFirst()
                    .map(binary -> binary.toAbsolutePath().normalize())
                    .orElseThrow(() -> new IllegalArgumentException("OpenCode not found: no " + value + " on the PATH"));
        }
        Path binary = UserPath.resolve(value, workingDirectory, environment.home());
        if (!isExecutableFile(binary)) {
            throw new IllegalArgumentException("OpenCode not found: " + binary + " is not an executable file");
        }
        return binary;
    }

    private static boolean isExecutableFile(Path path) {
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }

    private static <T> T parse(Setting setting, Function<String, T> parser) {
        try {
            return parser.apply(setting.value());
        } catch (IllegalArgumentException e) {
            throw new WorkerException(ExitCode.INVALID_INPUT, setting.explain(e.getMessage()), e);
        }
    }
}
