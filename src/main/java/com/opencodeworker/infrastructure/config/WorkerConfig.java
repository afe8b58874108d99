package com.opencodeworker.infrastructure.config;

import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.domain.PermissionPolicy;
import com.opencodeworker.domain.ProcessMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The resolved settings of one worker run. {@code convexUrl} is normalised (http or https, no
 * trailing slash), {@code rootDirectory} is the real path of an existing readable directory, and
 * {@link #toString()} shows the token redacted ({@code mch_abc123:sec_***}).
 */
public record WorkerConfig(MachineToken token, String convexUrl, Path rootDirectory, Path configPath,
                           Duration idleTimeout, Duration syncInterval, Optional<Path> opencodeBin, int maxSessions,
                           Duration shutdownGrace, PermissionPolicy permissionPolicy, boolean verbose,
                           ProcessMode processMode) {
    public static final int MIN_SESSIONS = 1;
    public static final int MAX_SESSIONS = 64;

    public WorkerConfig {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(convexUrl, "convexUrl");
        Objects.requireNonNull(rootDirectory, "rootDirectory");
        Objects.requireNonNull(configPath, "configPath");
        Objects.requireNonNull(opencodeBin, "opencodeBin");
        Objects.requireNonNull(permissionPolicy, "permissionPolicy");
        Objects.requireNonNull(processMode, "processMode");
        requirePositive(idleTimeout, "idleTimeout");
        requirePositive(syncInterval, "syncInterval");
        requirePositive(shutdownGrace, "shutdownGrace");
        if (maxSessions < MIN_SESSIONS || maxSessions > MAX_SESSIONS) {
            throw new IllegalArgumentException("maxSessions must be from " + MIN_SESSIONS + " to " + MAX_SESSIONS);
        }
        if (!rootDirectory.isAbsolute() || !configPath.isAbsolute()) {
            throw new IllegalArgumentException("rootDirectory and configPath must be absolute");
        }
    }

    /** A configuration with one OpenCode process per session. */
    public WorkerConfig(MachineToken token, String convexUrl, Path rootDirectory, Path configPath,
                        Duration idleTimeout, Duration syncInterval, Optional<Path> opencodeBin, int maxSessions,
                        Duration shutdownGrace, PermissionPolicy permissionPolicy, boolean verbose) {
        this(token, convexUrl, rootDirectory, configPath, idleTimeout, syncInterval, opencodeBin, maxSessions,
                shutdownGrace, permissionPolicy, verbose, ProcessMode.PER_SESSION);
    }

    /** This configuration with {@code mode}. */
    public WorkerConfig withProcessMode(ProcessMode mode) {
        return new WorkerConfig(token, convexUrl, rootDirectory, configPath, idleTimeout, syncInterval, opencodeBin,
                maxSessions, shutdownGrace, permissionPolicy, verbose, mode);
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
