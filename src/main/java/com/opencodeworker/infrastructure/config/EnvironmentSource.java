package com.opencodeworker.infrastructure.config;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The variables the worker reads: the process environment first, then the {@code .env} file of
 * the working directory, then the {@code .env} file of the user's config directory (so that a
 * worker started from anywhere, or by a service manager, finds it). A blank value counts as unset.
 */
public final class EnvironmentSource {
    public static final String DOT_ENV_FILE = ".env";

    private final Map<String, String> environment;
    private final Map<String, String> dotEnv;
    private final Map<String, String> userDotEnv;
    private final String userDotEnvName;

    public EnvironmentSource(Map<String, String> environment, Map<String, String> dotEnv) {
        this(environment, dotEnv, Map.of(), "");
    }

    private EnvironmentSource(Map<String, String> environment, Map<String, String> dotEnv,
                              Map<String, String> userDotEnv, String userDotEnvName) {
        this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
        this.dotEnv = Map.copyOf(Objects.requireNonNull(dotEnv, "dotEnv"));
        this.userDotEnv = Map.copyOf(userDotEnv);
        this.userDotEnvName = userDotEnvName;
    }

    /** The environment plus {@code .env} of {@code workingDirectory} and of the user's config directory. */
    public static EnvironmentSource load(Map<String, String> environment, Path workingDirectory) {
        Optional<Path> userDotEnv = ConfigLocations.of(nonBlank(environment.get("HOME")),
                        nonBlank(environment.get("XDG_CONFIG_HOME")), System.getProperty("os.name", ""), workingDirectory)
                .configDirectory().map(directory -> directory.resolve(DOT_ENV_FILE));
        Path local = workingDirectory.toAbsolutePath().normalize().resolve(DOT_ENV_FILE);
        Optional<Path> user = userDotEnv.filter(file -> !file.equals(local));
        return new EnvironmentSource(environment, DotEnv.load(local),
                user.map(DotEnv::load).orElse(Map.of()), user.map(Path::toString).orElse(""));
    }

    private static Optional<String> nonBlank(String value) {
        return Optional.ofNullable(value).filter(v -> !v.isBlank());
    }

    /** The value of {@code name}, from the environment if set there, else from {@code .env}. */
    public Optional<Setting> lookup(String name) {
        String fromEnvironment = environment.get(name);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Optional.of(new Setting(fromEnvironment, name));
        }
        String fromDotEnv = dotEnv.get(name);
        if (fromDotEnv != null && !fromDotEnv.isBlank()) {
            return Optional.of(new Setting(fromDotEnv, name + " in " + DOT_ENV_FILE));
        }
        String fromUserDotEnv = userDotEnv.get(name);
        if (fromUserDotEnv != null && !fromUserDotEnv.isBlank()) {
            return Optional.of(new Setting(fromUserDotEnv, name + " in " + userDotEnvName));
        }
        return Optional.empty();
    }

    /** The directories of the process's {@code PATH}, in order. */
    public List<String> searchPath() {
        String path = environment.getOrDefault("PATH", "");
        return Arrays.stream(path.split(File.pathSeparator)).filter(entry -> !entry.isBlank()).toList();
    }

    /** The home directory, for a leading {@code ~} in paths. */
    public Optional<String> home() {
        return Optional.ofNullable(environment.get("HOME")).filter(home -> !home.isBlank());
    }
}
