package com.opencodeworker.testing.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Finds processes on this machine by what they run and where, to prove none was left behind. */
public final class ProcessProbe {
    private ProcessProbe() {
    }

    /** Live processes whose command mentions {@code opencode} and whose working directory lies under {@code root}. */
    public static List<ProcessHandle> openCodeUnder(Path root) {
        Path realRoot = real(root);
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains("opencode")).orElse(false))
                .filter(p -> cwd(p).startsWith(realRoot))
                .toList();
    }

    /** The {@code opencode serve} process (not its launcher script) working in {@code directory} or under it. */
    public static ProcessHandle openCodeServerUnder(Path directory) {
        return openCodeUnder(directory).stream()
                .filter(p -> p.info().command().map(c -> !c.endsWith("sh")).orElse(false))
                .filter(p -> p.info().commandLine().map(c -> c.contains("serve")).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no opencode serve running under " + directory));
    }

    /** A listening TCP socket: the local address as /proc/net/tcp writes it (hex), and the port. */
    public record Listening(String address, int port) {
    }

    /** The TCP sockets process {@code pid} listens on, from its descriptors and the kernel's socket tables. */
    public static List<Listening> listening(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) {
                        inodes.add(link.substring("socket:[".length(), link.length() - 1));
                    }
                } catch (IOException gone) {
                    // The descriptor closed while we listed them.
                }
            }
        }
        List<Listening> sockets = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields[3].equals("0A") && inodes.contains(fields[9])) {
                    String[] local = fields[1].split(":");
                    sockets.add(new Listening(local[0], Integer.parseInt(local[1], 16)));
                }
            }
        }
        return sockets;
    }

    private static Path cwd(ProcessHandle process) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd"));
        } catch (IOException | UnsupportedOperationException e) {
            return Path.of("/nonexistent");
        }
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }
}
