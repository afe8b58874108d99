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
 * the working directory. A blank value counts as unset.
 */
public final class EnvironmentSource {
    public static final String DOT_ENV_FILE = ".env";

    private final Map<String, String> environment;
    private final Map<String, String> dotEnv;

    public EnvironmentSource(Map<String, String> environment, Map<String, String> dotEnv) {
        this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
        this.dotEnv = Map.copyOf(Objects.requireNonNull(dotEnv, "dotEnv"));
    }

    /** The environment plus {@code .env} of {@code workingDirectory}, if there is one. */
    public static EnvironmentSource load(Map<String, String> environment, Path workingDirectory) {
        return new EnvironmentSource(environment, DotEnv.load(workingDirectory.resolve(DOT_ENV_FILE)));
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
