package com.opencodeworker.infrastructure.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Where the worker keeps its files when none is named: the user's config directory,
 * {@code $XDG_CONFIG_HOME/opencode-worker} ({@code ~/.config/opencode-worker} when unset) and
 * {@code ~/Library/Application Support/opencode-worker} on macOS. A config file of the old
 * default place, {@code .worker-config.json} in the working directory, is still read when it exists.
 */
public final class ConfigLocations {
    public static final String APPLICATION = "opencode-worker";
    public static final String CONFIG_FILE = "config.json";
    public static final String LEGACY_CONFIG_FILE = ".worker-config.json";

    private final Optional<Path> configDirectory;
    private final Path workingDirectory;

    private ConfigLocations(Optional<Path> configDirectory, Path workingDirectory) {
        this.configDirectory = configDirectory;
        this.workingDirectory = workingDirectory;
    }

    /** The locations for {@code environment}'s {@code HOME} and {@code XDG_CONFIG_HOME} on {@code osName}. */
    public static ConfigLocations of(Optional<String> home, Optional<String> xdgConfigHome, String osName,
                                     Path workingDirectory) {
        Optional<Path> base;
        if (osName.toLowerCase(Locale.ROOT).startsWith("mac")) {
            base = home.map(h -> Path.of(h, "Library", "Application Support"));
        } else {
            // The XDG spec ignores a relative XDG_CONFIG_HOME.
            base = xdgConfigHome.map(Path::of).filter(Path::isAbsolute).or(() -> home.map(h -> Path.of(h, ".config")));
        }
        return new ConfigLocations(base.map(b -> b.resolve(APPLICATION)), workingDirectory.toAbsolutePath().normalize());
    }

    /** For this process: its environment and operating system. */
    public static ConfigLocations of(EnvironmentSource environment, Path workingDirectory) {
        return of(environment.home(), environment.lookup("XDG_CONFIG_HOME").map(Setting::value),
                System.getProperty("os.name", ""), workingDirectory);
    }

    /** The user's config directory of the worker; empty without a home directory. */
    public Optional<Path> configDirectory() {
        return configDirectory;
    }

    /**
     * The config file when none is named: {@code .worker-config.json} of the working directory if
     * it exists (the old default), else {@code config.json} in the config directory, else (no home
     * directory) the old default.
     */
    public Path defaultConfigFile() {
        Path legacy = workingDirectory.resolve(LEGACY_CONFIG_FILE);
        if (Files.exists(legacy) || configDirectory.isEmpty()) {
            return legacy;
        }
        return configDirectory.get().resolve(CONFIG_FILE);
    }
}
