package com.opencodeworker.infrastructure.filesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.opencodeworker.domain.port.WorkerDirectoryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DirectoriesUnderRootTest {
    @TempDir
    Path temp;

    private Path root;

    @BeforeEach
    void createRoot() throws IOException {
        root = Files.createDirectories(temp.resolve("root")).toRealPath();
        Files.createDirectories(root.resolve("projects/app"));
        Files.createDirectories(temp.resolve("outside"));
    }

    private Path resolve(String directory) {
        return new DirectoriesUnderRoot(root).resolve(directory);
    }

    @Test
    void relativeDirectoryResolvesInsideTheRoot() {
        assertThat(resolve("projects/app")).isEqualTo(root.resolve("projects/app"));
    }

    @Test
    void absoluteDirectoryInsideTheRootIsAccepted() {
        assertThat(resolve(root.resolve("projects/app").toString()))
                .isEqualTo(root.resolve("projects/app"));
    }

    @Test
    void theRootItselfIsAccepted() {
        assertThat(resolve(".")).isEqualTo(root);
    }

    @Test
    void dotDotEscapingTheRootIsRejected() {
        assertThatThrownBy(() -> resolve("../outside"))
                .isInstanceOf(WorkerDirectoryException.class)
                .hasMessageStartingWith("Directory outside the root directory: ../outside");
    }

    @Test
    void absoluteDirectoryOutsideTheRootIsRejected() {
        assertThatThrownBy(() -> resolve(temp.resolve("outside").toString()))
                .hasMessageStartingWith("Directory outside the root directory");
    }

    @Test
    void symlinkPointingOutsideTheRootIsRejected() throws IOException {
        Files.createSymbolicLink(root.resolve("escape"), temp.resolve("outside"));

        assertThatThrownBy(() -> resolve("escape"))
                .isInstanceOf(WorkerDirectoryException.class)
                .hasMessageContaining("Directory outside the root directory")
                .hasMessageContaining(temp.resolve("outside").toRealPath().toString());
    }

    @Test
    void symlinkPointingInsideTheRootResolvesToItsTarget() throws IOException {
        Files.createSymbolicLink(root.resolve("shortcut"), root.resolve("projects/app"));

        assertThat(resolve("shortcut")).isEqualTo(root.resolve("projects/app"));
    }

    @Test
    void missingDirectoryIsReported() {
        assertThatThrownBy(() -> resolve("projects/missing"))
                .hasMessage("Directory not found: " + root.resolve("projects/missing"));
    }

    @Test
    void aFileIsNotADirectory() throws IOException {
        Files.writeString(root.resolve("notes.txt"), "x");

        assertThatThrownBy(() -> resolve("notes.txt"))
                .hasMessage("Not a directory: " + root.resolve("notes.txt"));
    }

    @Test
    void invalidPathIsReported() {
        assertThatThrownBy(() -> resolve("a\u0000b"))
                .hasMessageStartingWith("Invalid directory");
    }
}
