package com.opencodeworker.infrastructure.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.StoredConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class JsonFileConfigStoreTest {
    private static final MachineToken TOKEN = MachineToken.parse("mch_abc123:sec_xyz789AB");

    @TempDir
    Path temp;

    private Path file() {
        return temp.resolve(".worker-config.json");
    }

    private static StoredConfig full() {
        return new StoredConfig(Optional.of(TOKEN), Optional.of("/srv/code"), Optional.of("https://x.convex.cloud"));
    }

    @Test
    void missingFileLoadsAsNothingStored() {
        assertThat(new JsonFileConfigStore(file()).load()).isEmpty();
    }

    @Test
    void savedSettingsLoadBack() {
        JsonFileConfigStore store = new JsonFileConfigStore(file());

        store.save(full());

        assertThat(store.load()).contains(full());
    }

    @Test
    void savedFileIsReadableByTheOwnerOnly() throws IOException {
        new JsonFileConfigStore(file()).save(full());

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
    }

    @Test
    void overwritingAWorldReadableFileLeavesItOwnerOnly() throws IOException {
        Files.writeString(file(), "{}");
        Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r--r--"));

        new JsonFileConfigStore(file()).save(full());

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
    }

    @Test
    void saveLeavesNoTemporaryFileBehind() throws IOException {
        new JsonFileConfigStore(file()).save(full());

        try (var files = Files.list(temp)) {
            assertThat(files).containsExactly(file());
        }
    }

    @Test
    void unknownFieldsInTheFileAreKept() throws IOException {
        Files.writeString(file(), "{\"token\":\"mch_old123:sec_oldsecret\",\"note\":{\"by\":\"me\"},\"n\":[1,2]}");

        new JsonFileConfigStore(file()).save(full());

        JsonNode saved = new ObjectMapper().readTree(file().toFile());
        assertThat(saved.get("note").get("by").asText()).isEqualTo("me");
        assertThat(saved.get("n")).hasSize(2);
        assertThat(saved.get("token").asText()).isEqualTo(TOKEN.reveal());
    }

    @Test
    void absentFieldsKeepTheirStoredValue() {
        JsonFileConfigStore store = new JsonFileConfigStore(file());
        store.save(full());
        MachineToken newer = MachineToken.parse("mch_abc123:sec_newer7890");

        store.save(new StoredConfig(Optional.of(newer), Optional.empty(), Optional.empty()));

        assertThat(store.load()).contains(new StoredConfig(Optional.of(newer), full().rootDirectory(), full().convexUrl()));
    }

    @Test
    void createsMissingParentDirectories() {
        Path nested = temp.resolve("a/b/config.json");

        new JsonFileConfigStore(nested).save(full());

        assertThat(nested).exists();
    }

    @Test
    void nullAndBlankFieldsCountAsAbsent() throws IOException {
        Files.writeString(file(), "{\"token\":null,\"rootDirectory\":\" \"}");

        assertThat(new JsonFileConfigStore(file()).load()).contains(StoredConfig.empty());
    }

    @Test
    void corruptFileIsReportedWithItsPathAndLeftUntouched() throws IOException {
        byte[] corrupt = "{\"token\": \"mch_abc123:sec_xyz789AB\", oops".getBytes(StandardCharsets.UTF_8);
        Files.write(file(), corrupt);
        JsonFileConfigStore store = new JsonFileConfigStore(file());

        assertThatThrownBy(store::load)
                .isInstanceOf(WorkerException.class)
                .hasMessageStartingWith("Cannot read config file " + file() + ": not valid JSON at line 1")
                .satisfies(e -> assertThat(((WorkerException) e).exitCode()).isEqualTo(ExitCode.INVALID_INPUT))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sec_xyz789AB"));
        assertThatThrownBy(() -> store.save(full())).isInstanceOf(WorkerException.class);
        assertThat(Files.readAllBytes(file())).isEqualTo(corrupt);
    }

    @Test
    void emptyFileIsReported() throws IOException {
        Files.writeString(file(), "");

        assertThatThrownBy(new JsonFileConfigStore(file())::load)
                .hasMessage("Cannot read config file " + file() + ": the file is empty (delete it to start afresh)");
    }

    @Test
    void fileThatIsNotAnObjectIsReported() throws IOException {
        Files.writeString(file(), "[1, 2]");

        assertThatThrownBy(new JsonFileConfigStore(file())::load)
                .hasMessage("Cannot read config file " + file() + ": expected a JSON object");
    }

    @Test
    void fieldOfTheWrongTypeIsReported() throws IOException {
        Files.writeString(file(), "{\"convexUrl\": 42}");

        assertThatThrownBy(new JsonFileConfigStore(file())::load)
                .hasMessage("Cannot read config file " + file() + ": field \"convexUrl\" must be a string");
    }

    @Test
    void storedTokenOfTheWrongFormatIsReportedWithoutTheSecret() throws IOException {
        Files.writeString(file(), "{\"token\": \"mch_abc123:sec_short\"}");

        assertThatThrownBy(new JsonFileConfigStore(file())::load)
                .hasMessageStartingWith("Cannot read config file " + file() + ": field \"token\": Invalid token format")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sec_short"));
    }

    @Test
    void unreadableFileIsReported() throws IOException {
        Files.createDirectory(file());

        assertThatThrownBy(new JsonFileConfigStore(file())::load)
                .isInstanceOf(WorkerException.class)
                .hasMessageStartingWith("Cannot read config file " + file() + ": ");
    }

    @Test
    void unwritableLocationIsInvalidInputNamingThePath() throws IOException {
        Files.writeString(temp.resolve("a-file"), "x");
        Path inside = temp.resolve("a-file/config.json");

        assertThatThrownBy(() -> new JsonFileConfigStore(inside).save(full()))
                .isInstanceOf(WorkerException.class)
                .hasMessageStartingWith("Cannot write config file " + inside + ": ")
                .satisfies(e -> assertThat(((WorkerException) e).exitCode()).isEqualTo(ExitCode.INVALID_INPUT));
    }

    @Test
    void relativePathIsMadeAbsolute() {
        assertThat(new JsonFileConfigStore(Path.of("cfg.json")).file()).isAbsolute();
    }
}
