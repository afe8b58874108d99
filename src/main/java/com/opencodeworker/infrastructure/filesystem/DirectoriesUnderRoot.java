package com.opencodeworker.infrastructure.filesystem;

import com.opencodeworker.domain.port.WorkerDirectories;
import com.opencodeworker.domain.port.WorkerDirectoryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/** Resolves worker directories on the file system, inside the real path of the machine's root. Stateless. */
public final class DirectoriesUnderRoot implements WorkerDirectories {
    private final Path realRoot;

    /** @param realRoot the root directory, already {@link Path#toRealPath real} */
    public DirectoriesUnderRoot(Path realRoot) {
        this.realRoot = Objects.requireNonNull(realRoot, "realRoot");
    }

    @Override
    public Path resolve(String directory) {
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
}
