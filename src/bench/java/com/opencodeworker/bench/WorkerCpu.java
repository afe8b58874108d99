package com.opencodeworker.bench;

import com.opencodeworker.testing.model.FakeModelServer;
import com.opencodeworker.testing.worker.Deployment;
import com.opencodeworker.testing.worker.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The worker's own cost, as a separate JVM started like a user starts it: the time from its start
 * to connected, its idle memory and CPU, and its CPU per streamed reply against OpenCode's for the
 * same replies (40 chunks each, {@code chunkDelay} apart), measured over {@code replies} replies
 * after each of {@code after} replies so far: early (the JIT compilers still at work) and later.
 */
final class WorkerCpu {
    private static final Duration WARM_UP_CHUNK_DELAY = Duration.ofMillis(110);
    private final Duration chunkDelay;
    private final int replies;
    private final int[] after;
    private final Duration idle;
    private final Map<String, String> workerEnvironment;

    WorkerCpu(Duration chunkDelay, int[] after, int replies, Duration idle, Map<String, String> workerEnvironment) {
        this.chunkDelay = chunkDelay;
        this.after = after.clone();
        this.replies = replies;
        this.idle = idle;
        this.workerEnvironment = workerEnvironment;
    }

    Map<String, String> run() throws Exception {
        Map<String, String> results = new LinkedHashMap<>();
        Path base = Files.createTempDirectory("bench-cpu");
        try (Deployment deployment = new Deployment(base)) {
            String session = deployment.createSession(deployment.createWorker("project"));
            long spawned = System.nanoTime();
            WorkerProcess worker = deployment.startProcess(workerEnvironment);
            Waits.until(Duration.ofSeconds(60), () -> "online".equals(deployment.machineStatus()));
            results.put("worker start to connected (ms)", Long.toString(Waits.msSince(spawned)));

            // Warm-up replies at a quicker pace (still one appendChunks per delta): with the JVM's defaults
            // C2 still compiles the per-chunk paths after a hundred replies, and a daemon runs for days, so a
            // reply's cost is measured early and again later.
            Windows.atEach(after, replies, i -> {
                deployment.model().setSlowDelay(WARM_UP_CHUNK_DELAY);
                Benchmark.answered(deployment, session, FakeModelServer.SLOW + " warm up " + i);
            }, (done, measured) -> measureReplies(deployment, session, worker, Windows.suffix(done), results));

            long idleBefore = Procs.cpuMillis(worker.pid());
            Map<Long, Procs.ThreadCpu> threadsIdleBefore = Procs.threadCpu(worker.pid());
            long idleStart = System.nanoTime();
            Waits.pause(idle);
            long idleCpu = Procs.cpuMillis(worker.pid()) - idleBefore;
            if (Boolean.getBoolean("bench.threads")) {
                System.out.printf("    idle for %d s, per thread:%n", idle.toSeconds());
                printThreads(threadsIdleBefore, Procs.threadCpu(worker.pid()), idleCpu);
            }
            results.put("worker idle CPU (% of one core)", String.format("%.2f %%",
                    100.0 * idleCpu / Math.max(1, Waits.msSince(idleStart))));
            results.put("worker RSS (MiB)", Long.toString(Procs.rssKib(worker.pid()) / 1024));
            results.put("worker peak RSS (MiB)", Long.toString(Procs.peakRssKib(worker.pid()) / 1024));
            worker.terminate();
            worker.awaitExit(Duration.ofSeconds(30));
        }
        return results;
    }

    /** Streams {@code replies} replies and puts what they cost the worker and OpenCode into {@code results}. */
    private void measureReplies(Deployment deployment, String session, WorkerProcess worker, String suffix,
                                Map<String, String> results) throws Exception {
        deployment.model().setSlowDelay(chunkDelay);
        Map<Long, Procs.ThreadCpu> threadsBefore = Procs.threadCpu(worker.pid());
        results.put("JIT compiler CPU since start (ms)" + suffix, Long.toString(compilerMillis(byName(threadsBefore))));
        long workerBefore = Procs.cpuMillis(worker.pid());
        long openCodeBefore = Procs.openCodeCpuMillis(deployment.root());
        for (int i = 0; i < replies; i++) {
            Benchmark.answered(deployment, session, FakeModelServer.SLOW + " reply " + i);
        }
        long workerCpu = Procs.cpuMillis(worker.pid()) - workerBefore;
        long openCodeCpu = Procs.openCodeCpuMillis(deployment.root()) - openCodeBefore;
        Map<Long, Procs.ThreadCpu> threadsAfter = Procs.threadCpu(worker.pid());
        if (Boolean.getBoolean("bench.threads")) {
            System.out.printf("    %d replies%s, per thread:%n", replies, suffix);
            printThreads(threadsBefore, threadsAfter, workerCpu);
        }
        long compilers = compilerMillis(byName(used(threadsBefore, threadsAfter)));
        results.put("worker CPU per streamed reply (ms)" + suffix, Long.toString(workerCpu / replies));
        results.put("  of which JIT compilers (ms)" + suffix, Long.toString(compilers / replies));
        results.put("OpenCode CPU per streamed reply (ms)" + suffix, Long.toString(openCodeCpu / replies));
        results.put("worker CPU / OpenCode CPU" + suffix, percentOf(workerCpu, openCodeCpu));
        results.put("  without JIT compilers" + suffix, percentOf(workerCpu - compilers, openCodeCpu));
        results.put("worker CPU per chunk (ms)" + suffix, String.format("%.2f",
                (double) workerCpu / (replies * (double) FakeModelServer.SLOW_CHUNKS)));
    }

    /** The CPU each thread used between two readings. */
    private static Map<Long, Procs.ThreadCpu> used(Map<Long, Procs.ThreadCpu> before, Map<Long, Procs.ThreadCpu> after) {
        Map<Long, Procs.ThreadCpu> used = new TreeMap<>();
        after.forEach((id, now) -> {
            Procs.ThreadCpu then = before.get(id);
            used.put(id, new Procs.ThreadCpu(now.name(), now.millis() - (then == null ? 0 : then.millis())));
        });
        return used;
    }

    /** Each thread's CPU between two readings, and what threads that ended meanwhile used of {@code total}. */
    private static void printThreads(Map<Long, Procs.ThreadCpu> before, Map<Long, Procs.ThreadCpu> after, long total) {
        Map<String, Long> byName = byName(used(before, after));
        byName.forEach((name, ms) -> System.out.printf("    thread %-30s %d ms%n", name, ms));
        long live = byName.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("    threads that ended             %d ms%n", total - live);
    }

    /** CPU per thread name, for threads with any. */
    private static Map<String, Long> byName(Map<Long, Procs.ThreadCpu> byId) {
        Map<String, Long> byName = new TreeMap<>();
        byId.values().stream().filter(t -> t.millis() > 0).forEach(t -> byName.merge(t.name(), t.millis(), Long::sum));
        return byName;
    }

    /** CPU of the JIT's compiler threads ("C1 CompilerThreadN", "C2 CompilerThreadN"; /proc cuts names at 15). */
    private static long compilerMillis(Map<String, Long> byThread) {
        return byThread.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    private static String percentOf(long part, long whole) {
        return whole == 0 ? "n/a" : String.format("%.1f %%", 100.0 * part / whole);
    }

    /**
     * Runs only this part, e.g. under a profiler:
     * {@code WorkerCpu [chunkDelayMs] [after, e.g. 30,100] [replies] [JAVA_TOOL_OPTIONS of the worker, one option per
     * argument]}.
     */
    public static void main(String[] args) throws Exception {
        Duration delay = Duration.ofMillis(args.length > 0 ? Long.parseLong(args[0]) : 250);
        int[] after = args.length > 1
                ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {1};
        int replies = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Map<String, String> env = args.length > 3
                ? Map.of("JAVA_TOOL_OPTIONS", String.join(" ", Arrays.copyOfRange(args, 3, args.length))) : Map.of();
        Benchmark.print(new WorkerCpu(delay, after, replies, Duration.ofSeconds(30), env).run());
    }
}
