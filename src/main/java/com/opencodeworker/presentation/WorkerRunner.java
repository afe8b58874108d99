package com.opencodeworker.presentation;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.infrastructure.config.WorkerConfig;

/** Runs the worker with resolved settings until it stops; how it stopped is the exit code. */
@FunctionalInterface
public interface WorkerRunner {

    /**
     * @throws com.opencodeworker.domain.WorkerException for a stop the user must act on (bad token, superseded, ...)
     */
    ExitCode run(WorkerConfig config);

    /**
     * Runs like {@link #run(WorkerConfig)} and calls {@code onAccepted} once the backend accepted the
     * machine token (the command stores a new token only then). This default calls it first.
     */
    default ExitCode run(WorkerConfig config, Runnable onAccepted) {
        onAccepted.run();
        return run(config);
    }
}
