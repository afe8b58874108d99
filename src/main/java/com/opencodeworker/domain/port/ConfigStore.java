package com.opencodeworker.domain.port;

import java.util.Optional;

/** Keeps the few settings the worker remembers between runs (token, root directory, Convex URL). */
public interface ConfigStore {

    /**
     * Reads the stored settings; empty when nothing was stored yet.
     *
     * @throws com.opencodeworker.domain.WorkerException (exit 2) when the file exists but cannot be read or parsed
     */
    Optional<StoredConfig> load();

    /** Stores the settings atomically, readable by the owner only; fields it does not know are kept. */
    void save(StoredConfig config);
}
