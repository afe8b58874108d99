package com.opencodeworker.infrastructure.config;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.WorkerException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * One worker per config file on a host: a lock file beside the config ({@code <config>.lock})
 * holding the pid of the worker that runs with it, locked by the operating system for as long as
 * that process lives. The lock dies with its process (even by SIGKILL), so a file left by a dead
 * worker does not block. Two workers with one config would replace each other at every heartbeat.
 */
public final class InstanceLock implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of {@code configFile}. */
    public static Path fileFor(Path configFile) {
        return configFile.resolveSibling(configFile.getFileName() + ".lock");
    }

    /**
     * Takes the lock of {@code configFile} for this process and writes its pid into it.
     *
     * @throws WorkerException exit 5 when another live process holds it, naming its pid; exit 2 when
     *                         the lock file cannot be written
     */
    public static InstanceLock acquire(Path configFile) {
        Path file = fileFor(configFile);
        FileChannel channel = null;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            FileLock lock = tryLock(channel);
            if (lock == null) {
                String holder = readPid(channel).map(pid -> " (pid " + pid + ")").orElse("");
                channel.close();
                throw new WorkerException(ExitCode.ALREADY_RUNNING, "Another worker is already running with the"
                        + " config file " + configFile + holder + "; stop it first, or give this one its own --config");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                    0);
            channel.force(false);
            return new InstanceLock(file, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new WorkerException(ExitCode.INVALID_INPUT, "Cannot write config file " + configFile + ": "
                    + IoReason.of(e) + " (writing its lock file " + file.getFileName() + ")", e);
        }
    }

    /** The pid written in the lock file of {@code configFile}, if a live process still holds that lock. */
    public static Optional<Long> holder(Path configFile) {
        Path file = fileFor(configFile);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock probe = tryLock(channel);
            if (probe != null) {
                probe.release();
                return Optional.empty();
            }
            return readPid(channel);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Null when another process (or another channel of this JVM) holds the lock. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            return null;
        }
    }

    private static Optional<Long> readPid(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
        try {
            return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public Path file() {
        return file;
    }

    /** Releases the lock; the file stays, holding the pid of a process that no longer holds it. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // The lock ends with the channel anyway.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing left to release.
        }
    }
}
