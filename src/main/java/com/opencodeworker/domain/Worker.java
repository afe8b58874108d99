package com.opencodeworker.domain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A directory-bound assistant. Its {@code directory} is relative to the machine's root, or
 * absolute; either way its real path (symlinks followed) must lie inside the root's real path.
 */
public record Worker(WorkerId id, String name, String directory, long createdAt) {
    public Worker {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(directory, "directory");
    }

    /**
     * Resolves this worker's directory against the real path of the root.
     *
     * @param realRoot the root directory, already {@link Path#toRealPath real}
     * @throws WorkerDirectoryException saying why the directory cannot be used
     */
    public Path resolveDirectory(Path realRoot) {
        Path candidate;
        try {
            candidate = realRoot.resolve(directory);
        } catch (InvalidPathException e) {
            throw new WorkerDirectoryException("Invalid directory \"" + directory + "\": " + e.getReason());
        }
        if (!candidate.normalize().startsWith(realRoot)) {
            throw new WorkerDirectoryException("Directory outside the root directory: " + directory
                    + " resolves to " + candidate.normalize() + ", which is not inside " + realRoot);
        }
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            throw new WorkerDirectoryException("Directory not found: " + candidate.normalize());
        } catch (IOException e) {
            throw new WorkerDirectoryException("Directory not readable: " + candidate.normalize() + " (" + e.getMessage() + ")");
        }
        if (!real.startsWith(realRoot)) {
            throw new WorkerDirectoryException("Directory outside the root directory: " + directory
                    + " resolves to " + real + ", which is not inside " + realRoot);
        }
        if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new WorkerDirectoryException("Not a directory: " + real);
        }
        if (!Files.isReadable(real)) {
            throw new WorkerDirectoryException("Directory not readable: " + real);
        }
        return real;
    }

    /** A worker directory that is missing, unreadable, not a directory, or outside the root. */
    public static final class WorkerDirectoryException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public WorkerDirectoryException(String message) {
            super(message);
        }
    }
}
