package com.opencodeworker.domain;

import java.util.Objects;

/**
 * A directory-bound assistant. Its {@code directory} is relative to the machine's root, or
 * absolute inside it; {@link com.opencodeworker.domain.port.WorkerDirectories} finds it on disk.
 */
public record Worker(WorkerId id, String name, String directory, long createdAt) {
    public Worker {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(directory, "directory");
    }
}
