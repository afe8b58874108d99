package com.opencodeworker.presentation.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * Where a running worker says how to reach its status endpoint: {@code <config file>.status}, mode
 * 0600, holding its pid, port and bearer secret. Removed when the worker stops.
 */
public final class StatusFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;

    public StatusFile(Path path) {
        this.path = path;
    }

    /** The status file of the worker running with {@code configFile}. */
    public static StatusFile forConfig(Path configFile) {
        return new StatusFile(configFile.resolveSibling(configFile.getFileName() + ".status"));
    }

    public Path path() {
        return path;
    }

    /** How to reach the endpoint. */
    public record Address(long pid, int port, String secret) {
        @Override
        public String toString() {
            return "Address[pid=" + pid + ", port=" + port + ", secret=***]";
        }
    }

    void write(int port, String secret) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        Path temp = Files.createTempFile(path.toAbsolutePath().getParent(), ".status-", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temp, JSON.writeValueAsString(Map.of("pid", ProcessHandle.current().pid(), "port", port,
                "secret", secret)));
        Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The address written by a worker; empty when there is no readable file. */
    public Optional<Address> read() {
        try {
            JsonNode node = JSON.readTree(Files.readString(path));
            return Optional.of(new Address(node.get("pid").asLong(), node.get("port").asInt(), node.get("secret").asText()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    void deleteIfOurs() {
        if (read().map(a -> a.pid() == ProcessHandle.current().pid()).orElse(false)) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // A stale file is harmless: status checks the worker's lock first.
            }
        }
    }
}
