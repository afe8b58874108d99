package com.opencodeworker.domain;

import java.nio.file.Path;
import java.util.Objects;

/** This machine as the backend knows it after {@code machines:connect}: its name and the intervals it chose. */
public record Machine(MachineId id, String name, Path rootDirectory, long heartbeatIntervalMs, long leaseMs) {
    public Machine {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rootDirectory, "rootDirectory");
        if (heartbeatIntervalMs <= 0 || leaseMs <= 0) {
            throw new IllegalArgumentException("intervals must be positive");
        }
    }
}
