package com.opencodeworker.presentation.service;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a service manager needs to run the worker: the command line, the PATH under which OpenCode
 * is found, the working directory, and how long a stop may take (the shutdown grace plus a margin
 * for stopping OpenCode and saying goodbye to Convex).
 */
public record ServiceDefinition(List<String> command, String path, Path workingDirectory, Duration stopTimeout,
                                Path logFile) {
    /** Exit codes a restart cannot fix: bad configuration (2), token rejected (3), superseded (4), already running (5). */
    public static final List<Integer> FINAL_EXIT_CODES = List.of(2, 3, 4, 5);

    public ServiceDefinition {
        command = List.copyOf(command);
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        Objects.requireNonNull(logFile, "logFile");
    }
}
