package com.opencodeworker.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerTest {
    @TempDir
    Path temp;

    private Path root;

    @BeforeEach
    void createRoot() throws IOException {
        root = Files.createDirectories(temp.resolve("root")).toRealPath();
        Files.createDirectories(root.resolve("projects/app"));
        Files.createDirectories(temp.resolve("outside"));
    }

    private static Worker worker(String directory) {
        return new Worker(new WorkerId("w1"), "app", directory, 0);
    }

    @Test
    void relativeDirectoryResolvesInsideTheRoot() {
        assertThat(worker("projects/app").resolveDirectory(root)).isEqualTo(root.resolve("projects/app"));
    }

    @Test
    void absoluteDirectoryInsideTheRootIsAccepted() {
        assertThat(worker(root.resolve("projects/app").toString()).resolveDirectory(root))
                .isEqualTo(root.resolve("projects/app"));
    }

    @Test
    void theRootItselfIsAccepted() {
        assertThat(worker(".").resolveDirectory(root)).isEqualTo(root);
    }

    @Test
    void dotDotEscapingTheRootIsRejected() {
        assertThatThrownBy(() -> worker("../outside").resolveDirectory(root))
                .isInstanceOf(Worker.WorkerDirectoryException.class)
                .hasMessageStartingWith("Directory outside the root directory: ../outside");
    }

    @Test
    void absoluteDirectoryOutsideTheRootIsRejected() {
        assertThatThrownBy(() -> worker(temp.resolve("outside").toString()).resolveDirectory(root))
                .hasMessageStartingWith("Directory outside the root directory");
    }

    @Test
    void symlinkPointingOutsideTheRootIsRejected() throws IOException {
        Files.createSymbolicLink(root.resolve("escape"), temp.resolve("outside"));

        assertThatThrownBy(() -> worker("escape").resolveDirectory(root))
                .isInstanceOf(Worker.WorkerDirectoryException.class)
                .hasMessageContaining("Directory outside the root directory")
                .hasMessageContaining(temp.resolve("outside").toRealPath().toString());
    }

    @Test
    void symlinkPointingInsideTheRootResolvesToItsTarget() throws IOException {
        Files.createSymbolicLink(root.resolve("shortcut"), root.resolve("projects/app"));

        assertThat(worker("shortcut").resolveDirectory(root)).isEqualTo(root.resolve("projects/app"));
    }

    @Test
    void missingDirectoryIsReported() {
        assertThatThrownBy(() -> worker("projects/missing").resolveDirectory(root))
                .hasMessage("Directory not found: " + root.resolve("projects/missing"));
    }

    @Test
    void aFileIsNotADirectory() throws IOException {
        Files.writeString(root.resolve("notes.txt"), "x");

        assertThatThrownBy(() -> worker("notes.txt").resolveDirectory(root))
                .hasMessage("Not a directory: " + root.resolve("notes.txt"));
    }

    @Test
    void invalidPathIsReported() {
        assertThatThrownBy(() -> worker("a\u0000b").resolveDirectory(root))
                .hasMessageStartingWith("Invalid directory");
    }
}
