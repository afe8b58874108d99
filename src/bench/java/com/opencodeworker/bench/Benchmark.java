package com.opencodeworker.bench;

import com.opencodeworker.testing.worker.Deployment;
import com.opencodeworker.testing.worker.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The benchmark of docs/performance.md ({@code ./mvnw -B -Pbench verify}): the worker against
 * OpenCode driven directly, the 20 x 5 load in both process modes, and the worker's own cost. It
 * prints its figures side by side and asserts nothing. Real opencode, fake model.
 */
public final class Benchmark {
    private static final int WARM_SAMPLES = 10;
    private static final Duration LOAD_POLL = Duration.ofMillis(100);
    private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");

    private Benchmark() {
    }

    public static void main(String[] args) {
        System.out.println("== worker vs OpenCode direct");
        section(() -> WorkerCpu.print(direct()));
        System.out.println("== 20 sessions x 5 messages, 2 directories, max-sessions 8");
        Map<String, String> perSession = new LinkedHashMap<>();
        Map<String, String> perDirectory = new LinkedHashMap<>();
        section(() -> perSession.putAll(load("per-session")));
        section(() -> perDirectory.putAll(load("per-directory")));
        Map<String, String> names = new LinkedHashMap<>(perSession);
        names.putAll(perDirectory);
        System.out.printf("  %-34s %-16s %s%n", "", "per-session", "per-directory");
        names.keySet().forEach(name -> System.out.printf("  %-34s %-16s %s%n", name,
                perSession.getOrDefault(name, "-"), perDirectory.getOrDefault(name, "-")));
        System.out.println("== the worker's own cost");
        section(() -> WorkerCpu.print(new WorkerCpu(Duration.ofMillis(250), 10, 3, Duration.ofSeconds(30), Map.of())
                .run()));
    }

    private interface Section {
        void run() throws Exception;
    }

    /** Runs one part; a part that fails prints why, and the next part still runs. */
    private static void section(Section section) {
        try {
            section.run();
        } catch (Exception | AssertionError e) {
            System.out.println("  FAILED: " + e);
            e.printStackTrace(System.out);
        }
    }

    /** Cold start and warm first chunk: OpenCode alone, then the same through the worker. */
    static Map<String, String> direct() throws Exception {
        Map<String, String> results = new LinkedHashMap<>();
        try (Deployment deployment = new Deployment(Files.createTempDirectory("bench-direct"))) {
            Path directory = deployment.root().resolve("direct");
            Files.createDirectories(directory);
            List<Double> directFirst = new ArrayList<>();
            section(() -> directTurns(deployment, directory, results, directFirst));
            String session = deployment.createSession(deployment.createWorker("project"));
            WorkerProcess worker = deployment.startProcess();
            Waits.until(Duration.ofSeconds(120), () -> "online".equals(deployment.machineStatus()));
            long sent = System.nanoTime();
            String cold = deployment.send(session, "cold");
            Waits.until(Duration.ofSeconds(120), () -> hasText(deployment, cold));
            results.put("worker cold first chunk, send to stored (ms)", Long.toString(Waits.msSince(sent)));
            Waits.until(Duration.ofSeconds(120), () -> deployment.ended(cold));
            List<Double> workerFirst = new ArrayList<>();
            for (int i = 0; i < WARM_SAMPLES + 3; i++) {
                long start = System.nanoTime();
                String id = deployment.send(session, "hello " + i);
                Waits.until(Duration.ofSeconds(60), () -> hasText(deployment, id));
                double ms = (System.nanoTime() - start) / 1e6;
                Waits.until(Duration.ofSeconds(60), () -> deployment.ended(id));
                if (i >= 3) {
                    workerFirst.add(ms);
                }
            }
            double directMedian = percentile(directFirst, 50);
            double workerMedian = percentile(workerFirst, 50);
            results.put("OpenCode direct warm first delta p50 (ms)", String.format("%.1f", directMedian));
            results.put("worker warm first chunk stored p50 (ms)", String.format("%.1f", workerMedian));
            if (!directFirst.isEmpty()) {
                results.put("worker warm first-chunk overhead p50 (ms)",
                        String.format("%.1f", workerMedian - directMedian));
            }
            worker.terminate();
            worker.awaitExit(Duration.ofSeconds(30));
        }
        return results;
    }

    /** OpenCode alone in {@code directory}: a first start (fresh data directory), then a cold start and warm turns. */
    private static void directTurns(Deployment deployment, Path directory, Map<String, String> results,
            List<Double> firstDeltas) throws Exception {
        try (DirectOpenCode warmUp = DirectOpenCode.start(Deployment.openCodeBinary(), directory,
                deployment.openCodeEnvironment())) {
            warmUp.createSession();
        }
        try (DirectOpenCode direct = DirectOpenCode.start(Deployment.openCodeBinary(), directory,
                deployment.openCodeEnvironment())) {
            results.put("OpenCode cold start, spawn to events open (ms)", Long.toString(direct.coldStartMillis()));
            String session = direct.createSession();
            direct.firstDeltaMillis(session, "warm up");
            for (int i = 0; i < WARM_SAMPLES; i++) {
                firstDeltas.add(direct.firstDeltaMillis(session, "hello " + i));
            }
        }
    }

    /** 20 sessions in 2 directories, 5 messages each sent together, to a worker in {@code mode}. */
    static Map<String, String> load(String mode) throws Exception {
        Map<String, String> results = new LinkedHashMap<>();
        try (Deployment deployment = new Deployment(Files.createTempDirectory("bench-load"))) {
            List<String> sessions = new ArrayList<>();
            for (String directory : List.of("alpha", "beta")) {
                String worker = deployment.createWorker(directory);
                for (int i = 0; i < 10; i++) {
                    sessions.add(deployment.createSession(worker));
                }
            }
            WorkerProcess worker = deployment.startProcess("--process-mode", mode);
            Waits.until(Duration.ofSeconds(120), () -> "online".equals(deployment.machineStatus()));
            AtomicLong peakOpenCodeKib = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peakOpenCodeKib.accumulateAndGet(Procs.openCodeRssKib(deployment.root()), Math::max);
                    try {
                        Waits.pause(Duration.ofMillis(250));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            Map<String, Long> sentAt = new LinkedHashMap<>();
            long start = System.nanoTime();
            for (int round = 1; round <= 5; round++) {
                for (String session : sessions) {
                    sentAt.put(deployment.send(session, "message " + round), System.nanoTime());
                }
            }
            Map<String, Double> firstChunk = new ConcurrentHashMap<>();
            // One read of the two tables per look, not two queries per message: the poll must not
            // compete with the worker and OpenCode for the two cores.
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (true) {
                Set<Object> streamed = deployment.convex().table("chunks").stream()
                        .filter(chunk -> "text".equals(chunk.get("kind"))).map(chunk -> chunk.get("message"))
                        .collect(Collectors.toSet());
                sentAt.forEach((id, sent) -> {
                    if (!firstChunk.containsKey(id) && streamed.contains(id)) {
                        firstChunk.put(id, (System.nanoTime() - sent) / 1e9);
                    }
                });
                long ended = deployment.convex().table("messages").stream()
                        .filter(m -> sentAt.containsKey(m.get("_id")) && TERMINAL.contains(m.get("status"))).count();
                if (ended == sentAt.size()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    sampler.interrupt();
                    throw new TimeoutException(ended + " of " + sentAt.size() + " messages ended within 10 min");
                }
                Waits.pause(LOAD_POLL);
            }
            long wall = Waits.msSince(start);
            sampler.interrupt();
            long failed = sentAt.keySet().stream().filter(id -> !deployment.message(id).status().equals("completed"))
                    .count();
            long notOnce = sentAt.keySet().stream()
                    .filter(id -> deployment.message(id).terminalOutcomes().size() != 1).count();
            results.put("wall time, 100 messages (s)", String.format("%.1f", wall / 1000.0));
            results.put("failed", Long.toString(failed));
            results.put("not ended exactly once", Long.toString(notOnce));
            results.put("first chunk p50 (s)", String.format("%.1f", percentile(firstChunk.values(), 50)));
            results.put("first chunk p95 (s)", String.format("%.1f", percentile(firstChunk.values(), 95)));
            results.put("OpenCode starts", Long.toString(deployment.openCodeStarts()));
            results.put("peak RSS, all OpenCode (MiB)", Long.toString(peakOpenCodeKib.get() / 1024));
            results.put("peak RSS, worker (MiB)", Long.toString(Procs.peakRssKib(worker.pid()) / 1024));
            worker.terminate();
            worker.awaitExit(Duration.ofSeconds(60));
        }
        return results;
    }

    /**
     * True once a text chunk of the message is stored: one read of the chunks table, so that the
     * look itself adds little to the time measured (the web app's queries would take four reads).
     */
    private static boolean hasText(Deployment deployment, String messageId) {
        return deployment.convex().table("chunks").stream()
                .anyMatch(chunk -> messageId.equals(chunk.get("message")) && "text".equals(chunk.get("kind")));
    }

    static double percentile(java.util.Collection<Double> values, int percent) {
        List<Double> sorted = values.stream().sorted().toList();
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
