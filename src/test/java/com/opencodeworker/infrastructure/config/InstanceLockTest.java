package com.opencodeworker.infrastructure.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.WorkerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class InstanceLockTest {
    @TempDir
    Path dir;

    private Path config() {
        return dir.resolve("config.json");
    }

    @Test
    void theLockFileLiesBesideTheConfigHoldsThisPidAndIsTheOwnersOnly() throws IOException {
        try (InstanceLock lock = InstanceLock.acquire(config())) {
            assertThat(lock.file()).isEqualTo(dir.resolve("config.json.lock"));
            assertThat(Files.readString(lock.file()).strip()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(lock.file()))).isEqualTo("rw-------");
            assertThat(InstanceLock.holder(config())).contains(ProcessHandle.current().pid());
        }
    }

    @Test
    void aSecondLockOfTheSameConfigIsRefusedWithExitCode5NamingThePid() {
        try (InstanceLock first = InstanceLock.acquire(config())) {
            assertThatThrownBy(() -> InstanceLock.acquire(config()))
                    .isInstanceOf(WorkerException.class)
                    .satisfies(e -> assertThat(((WorkerException) e).exitCode()).isEqualTo(ExitCode.ALREADY_RUNNING))
                    .hasMessage("Another worker is already running with the config file " + config() + " (pid "
                            + ProcessHandle.current().pid() + "); stop it first, or give this one its own --config");
        }
    }

    @Test
    void aReleasedLockCanBeTakenAgain() {
        InstanceLock.acquire(config()).close();

        try (InstanceLock again = InstanceLock.acquire(config())) {
            assertThat(again.file()).exists();
        }
    }

    @Test
    void aLockFileLeftByADeadProcessDoesNotBlock() throws IOException {
        Files.writeString(InstanceLock.fileFor(config()), "999999999\n");
        assertThat(InstanceLock.holder(config())).isEmpty();

        try (InstanceLock lock = InstanceLock.acquire(config())) {
            assertThat(Files.readString(lock.file()).strip()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }
    }

    @Test
    void aMissingConfigDirectoryIsCreated() {
        Path nested = dir.resolve("a/b/config.json");

        try (InstanceLock lock = InstanceLock.acquire(nested)) {
            assertThat(lock.file()).isEqualTo(dir.resolve("a/b/config.json.lock")).exists();
        }
    }

    @Test
    void anUnwritableLockFileIsExitCode2() throws IOException {
        Path blocked = Files.createDirectories(dir.resolve("config.json.lock"));

        assertThatThrownBy(() -> InstanceLock.acquire(config())).isInstanceOf(WorkerException.class)
                .satisfies(e -> assertThat(((WorkerException) e).exitCode()).isEqualTo(ExitCode.INVALID_INPUT))
                .hasMessageStartingWith("Cannot write config file " + config() + ": ")
                .hasMessageEndingWith("(writing its lock file " + blocked.getFileName() + ")");
    }
}
