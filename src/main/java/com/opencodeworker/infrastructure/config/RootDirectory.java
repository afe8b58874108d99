package com.opencodeworker.infrastructure.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Checks the machine's root directory: it must exist, be a directory and be readable; the result is its real path. */
public final class RootDirectory {
    private RootDirectory() {
    }

    /**
     * @throws IllegalArgumentException {@code Directory not found: <path>}, {@code Not a directory: <path>},
     *     {@code Directory not readable: <path>} or {@code Invalid path ...}
     */
    public static Path resolve(String raw, Path workingDirectory, Optional<String> home) {
        Path path = UserPath.resolve(raw, workingDirectory, home);
        Path real;
        try {
            real = path.toRealPath();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("Directory not found: " + path, e);
        } catch (IOException e) {
            throw new IllegalArgumentException("Directory not readable: " + path + " (" + e.getMessage() + ")", e);
        }
        if (!Files.isDirectory(real)) {
            throw new IllegalArgumentException("Not a directory: " + path);
        }
        if (!Files.isReadable(real)) {
            throw new IllegalArgumentException("Directory not readable: " + path);
        }
        return real;
    }
}
