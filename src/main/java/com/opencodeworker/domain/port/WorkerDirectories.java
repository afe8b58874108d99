package com.opencodeworker.domain.port;

import java.nio.file.Path;

/**
 * Finds a worker's directory on this machine: relative to the machine's root, or absolute; either
 * way its real path (symlinks followed) must be a readable directory inside the root's real path.
 */
@FunctionalInterface
public interface WorkerDirectories {

    /**
     * The real path of {@code directory}.
     *
     * @throws WorkerDirectoryException saying why the directory cannot be used
     */
    Path resolve(String directory);
}
