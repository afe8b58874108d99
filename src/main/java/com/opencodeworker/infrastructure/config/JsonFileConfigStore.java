package com.opencodeworker.infrastructure.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.ConfigStore;
import com.opencodeworker.domain.port.StoredConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps {@link StoredConfig} in a JSON file readable by its owner only. A save writes a 0600
 * temporary file beside the target and renames it over the target atomically, keeping fields it
 * does not know; a file it cannot parse is reported and never overwritten. Stateless apart from
 * the file, so safe to share between threads (concurrent saves: the last rename wins).
 */
public final class JsonFileConfigStore implements ConfigStore {
    static final String TOKEN = "token";
    static final String ROOT_DIRECTORY = "rootDirectory";
    static final String CONVEX_URL = "convexUrl";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final ObjectMapper json = new ObjectMapper();

    public JsonFileConfigStore(Path file) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
    }

    public Path file() {
        return file;
    }

    @Override
    public Optional<StoredConfig> load() {
        return readObject().map(this::toStoredConfig);
    }

    /** Sets the fields present in {@code config}; absent fields and fields this class does not know keep their stored value. */
    @Override
    public void save(StoredConfig config) {
        ObjectNode document = readObject().orElseGet(json::createObjectNode);
        config.token().ifPresent(token -> document.put(TOKEN, token.reveal()));
        config.rootDirectory().ifPresent(root -> document.put(ROOT_DIRECTORY, root));
        config.convexUrl().ifPresent(url -> document.put(CONVEX_URL, url));
        byte[] bytes;
        try {
            bytes = (json.writerWithDefaultPrettyPrinter().writeValueAsString(document) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new WorkerException(ExitCode.FAILURE, "Cannot encode config file " + file, e);
        }
        writeAtomically(bytes);
    }

    private Optional<ObjectNode> readObject() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (!Files.isDirectory(file.getParent())) {
                return Optional.empty(); // nothing can be stored there yet; a save reports why
            }
            throw cannotRead(IoReason.of(e), e);
        }
        JsonNode node;
        try {
            node = json.readTree(bytes);
        } catch (JsonProcessingException e) {
            // Jackson's own message may quote the file's text, which may hold the secret.
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw cannotRead("not valid JSON" + where, null);
        } catch (IOException e) {
            throw cannotRead(IoReason.of(e), e);
        }
        if (node == null || node.isMissingNode()) {
            throw cannotRead("the file is empty (delete it to start afresh)", null);
        }
        if (!node.isObject()) {
            throw cannotRead("expected a JSON object", null);
        }
        return Optional.of((ObjectNode) node);
    }

    private StoredConfig toStoredConfig(ObjectNode document) {
        Optional<MachineToken> token = text(document, TOKEN).map(raw -> {
            try {
                return MachineToken.parse(raw);
            } catch (IllegalArgumentException e) {
                throw cannotRead("field \"" + TOKEN + "\": " + e.getMessage(), null);
            }
        });
        return new StoredConfig(token, text(document, ROOT_DIRECTORY), text(document, CONVEX_URL));
    }

    private Optional<String> text(ObjectNode document, String field) {
        JsonNode value = document.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw cannotRead("field \"" + field + "\" must be a string", null);
        }
        return Optional.of(value.textValue()).filter(text -> !text.isBlank());
    }

    private void writeAtomically(byte[] bytes) {
        Path directory = file.getParent();
        Path temporary = null;
        try {
            Files.createDirectories(directory);
            temporary = createOwnerOnlyFile(directory);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new WorkerException(ExitCode.INVALID_INPUT,
                    "Cannot write config file " + file + ": " + IoReason.of(e), e);
        }
    }

    private Path createOwnerOnlyFile(Path directory) throws IOException {
        String prefix = file.getFileName() + ".";
        if (Files.getFileStore(directory).supportsFileAttributeView("posix")) {
            return Files.createTempFile(directory, prefix, ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        return Files.createTempFile(directory, prefix, ".tmp");
    }

    private static void deleteQuietly(Path temporary) {
        if (temporary == null) {
            return;
        }
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException ignored) {
            // The write already failed; that error is the one worth reporting.
        }
    }

    private WorkerException cannotRead(String reason, Throwable cause) {
        return new WorkerException(ExitCode.INVALID_INPUT, "Cannot read config file " + file + ": " + reason, cause);
    }
}
