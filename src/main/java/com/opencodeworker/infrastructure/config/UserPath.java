package com.opencodeworker.infrastructure.config;

import com.opencodeworker.domain.QuotedText;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/** Turns a path a user typed into an absolute, normalised path: {@code ~} is the home directory, relative is against the working directory. */
public final class UserPath {
    private UserPath() {
    }

    /**
     * @throws IllegalArgumentException when {@code raw} is not a path on this system
     */
    public static Path resolve(String raw, Path workingDirectory, Optional<String> home) {
        String path = raw.strip();
        if (path.isEmpty()) {
            throw new IllegalArgumentException("Invalid path \"\": it is empty");
        }
        try {
            if (home.isPresent() && (path.equals("~") || path.startsWith("~/"))) {
                return Path.of(home.get() + path.substring(1)).toAbsolutePath().normalize();
            }
            return workingDirectory.resolve(path).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("Invalid path " + QuotedText.quote(path) + ": " + e.getReason(), e);
        }
    }
}
