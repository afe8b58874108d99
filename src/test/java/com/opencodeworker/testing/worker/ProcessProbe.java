package com.opencodeworker.testing.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
