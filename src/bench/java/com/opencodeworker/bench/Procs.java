package com.opencodeworker.bench;

import com.opencodeworker.testing.worker.ProcessProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What Linux's {@code /proc} says about a process: CPU time used and resident memory. */
final class Procs {
    private static final long TICK_MS = 10;

    private Procs() {
    }

    /** User plus system CPU time of the process itself, its exited and waited-for children included. */
    static long cpuMillis(long pid) {
        String[] fields = statFields(pid);
        if (fields.length < 17) {
            return 0;
        }
        // After the command name: state is field 3; utime 14, stime 15, cutime 16, cstime 17 (1-based).
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
                + Long.parseLong(fields[14]);
        return ticks * TICK_MS;
    }

    /** Fields of {@code /proc/PID/stat} after the command name, so index 0 is the state. */
    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | StringIndexOutOfBoundsException e) {
            return new String[0];
        }
    }

    /** A thread's name now (digits folded, e.g. {@code C2 CompilerThreadN}) and its CPU time so far, in ms. */
    record ThreadCpu(String name, long millis) {
    }

    /**
     * Every live thread's CPU time, by thread id. By id, not name: OkHttp's task runner renames its
     * threads after the task they run, so a name does not follow a thread.
     */
    static Map<Long, ThreadCpu> threadCpu(long pid) {
        Map<Long, ThreadCpu> byId = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                String name = Files.readString(task.resolve("comm")).strip().replaceAll("\\d+", "N");
                byId.put(Long.parseLong(task.getFileName().toString()), new ThreadCpu(name, threadMillis(task)));
            }
        } catch (IOException | RuntimeException e) {
            return byId;
        }
        return byId;
    }

    /**
     * A thread's CPU time from {@code schedstat} (nanoseconds on the CPU; the clock ticks of 10 ms in
     * {@code stat} are too coarse for a thread that wakes briefly).
     */
    private static long threadMillis(Path task) throws IOException {
        return Long.parseLong(Files.readString(task.resolve("schedstat")).strip().split(" ")[0]) / 1_000_000;
    }

    /** Resident memory now, in KiB (0 once the process is gone). */
    static long rssKib(long pid) {
        return statusField(pid, "VmRSS:");
    }

    /** Highest resident memory so far, in KiB. */
    static long peakRssKib(long pid) {
        return statusField(pid, "VmHWM:");
    }

    private static long statusField(long pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).replace("kB", "").strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** The OpenCode servers running in directories under {@code root} (their watchdogs excluded). */
    static List<Long> openCodeServers(Path root) {
        return ProcessProbe.openCodeUnder(root).stream()
                .filter(p -> p.info().commandLine().map(c -> c.contains(" serve")).orElse(false))
                .filter(p -> !p.info().command().map(c -> c.endsWith("sh")).orElse(false))
                .map(ProcessHandle::pid).toList();
    }

    /**
     * The address {@code pid} listens on, on 127.0.0.1: an OpenCode server started with {@code --port 0}
     * prints its port only to the worker.
     */
    static String listeningUrl(long pid) throws IOException {
        List<Integer> ports = ProcessProbe.listening(pid).stream().filter(socket -> socket.address().equals("0100007F"))
                .map(ProcessProbe.Listening::port).toList();
        if (ports.size() != 1) {
            throw new IllegalStateException("expected one port on 127.0.0.1 for process " + pid + ", found " + ports);
        }
        return "http://127.0.0.1:" + ports.get(0);
    }

    /** The environment {@code pid} was started with. */
    static Map<String, String> environment(long pid) throws IOException {
        Map<String, String> environment = new TreeMap<>();
        for (String entry : Files.readString(Path.of("/proc", Long.toString(pid), "environ")).split("\0")) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                environment.put(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }
        return environment;
    }

    /** CPU time of every OpenCode process under {@code root}, descendants included. */
    static long openCodeCpuMillis(Path root) {
        return ProcessProbe.openCodeUnder(root).stream().mapToLong(p -> cpuMillis(p.pid())).sum();
    }

    /** Summed resident memory of the OpenCode processes under {@code root}, in KiB. */
    static long openCodeRssKib(Path root) {
        return ProcessProbe.openCodeUnder(root).stream().mapToLong(p -> rssKib(p.pid())).sum();
    }
}
