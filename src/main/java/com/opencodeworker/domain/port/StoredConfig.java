package com.opencodeworker.domain.port;

import com.opencodeworker.domain.MachineToken;
import java.util.Objects;
import java.util.Optional;

/** The settings kept in the config file. */
public record StoredConfig(Optional<MachineToken> token, Optional<String> rootDirectory, Optional<String> convexUrl) {
    public StoredConfig {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(rootDirectory, "rootDirectory");
        Objects.requireNonNull(convexUrl, "convexUrl");
    }

    public static StoredConfig empty() {
        return new StoredConfig(Optional.empty(), Optional.empty(), Optional.empty());
    }
}
