package com.opencodeworker.bench;

import com.opencodeworker.presentation.service.DaemonJvmOptions;
import com.opencodeworker.testing.worker.Deployment;
import com.opencodeworker.testing.worker.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The benchmark of docs/performance.md ({@code ./mvnw -B -Pbench verify}): the worker against
 * OpenCode driven directly, the 20 x 5 load in both process modes, and the worker's own cost. It
 * prints its figures side by side and asserts nothing. Real opencode, fake model.
 */
public final class Benchmark {
    /** The warm turns are measured after this many turns on each side: a worker just started, and one warmed up. */
    private static final int[] DIRECT_AFTER_TURNS = {3, 150};
    /**
     * Turns measured on each side at each of those points: 30 early (more would no longer be early),
     * 60 warmed up, which narrows the overhead's interval by about 30 % (a factor of the square root of 2).
     */
    private static final int[] DIRECT_TURNS = {30, 60};
    /** Every measured warm turn is added to this file, one line each, for {@link Pooled}. */
    static final Path TURNS_FILE = Path.of("target", "bench", "direct-turns.csv");
    private static final String RUN = Instant.now().toString();
    private static final String BUILD = WorkerBuild.id();
    private static final int[] COST_AFTER_REPLIES = {30, 100};
    private static final Duration QUIET_AFTER_SEND = Duration.ofMillis(300);
    /** A warm turn starts once both OpenCode servers and the worker used at most 10 ms of CPU over this long. */
    private static final Duration QUIET_BEFORE_TURN = Duration.ofMillis(300);
    /** The worker's environment that gives it the JVM options the launcher and the service start it with. */
    private static final Map<String, String> DAEMON_JVM = Map.of("JAVA_TOOL_OPTIONS",
            String.join(" ", DaemonJvmOptions.OPTIONS));

    private Benchmark() {
    }

    /** Runs every part, or only those named: {@code direct}, {@code load}, {@code cost}. */
    public static void main(String[] args) {
        Set<String> parts = args.length == 0 ? Set.of("direct", "load", "cost") : Set.of(args);
        if (parts.contains("direct")) {
            System.out.println("== worker vs OpenCode direct, the worker started as java -jar starts it / as the"
                    + " launcher and the service start it");
            sideBySide("java -jar", () -> direct("java -jar", Map.of()), "launcher, service",
                    () -> direct("launcher", DAEMON_JVM));
        }
        if (parts.contains("load")) {
            System.out.println("== 20 sessions x 5 messages, 2 directories, max-sessions 8");
            sideBySide("per-session", () -> load("per-session"), "per-directory", () -> load("per-directory"));
        }
        if (parts.contains("cost")) {
            System.out.println("== the worker's own cost, started as java -jar starts it / as the launcher and the"
                    + " service start it (" + String.join(" ", DaemonJvmOptions.OPTIONS) + ")");
            sideBySide("java -jar", () -> cost(Map.of()), "launcher, service", () -> cost(DAEMON_JVM));
        }
    }

    /** The worker's cost per reply of 40 chunks 250 ms apart, over 5 replies after 30 and after 100 replies. */
    private static Map<String, String> cost(Map<String, String> workerEnvironment) throws Exception {
        return new WorkerCpu(Duration.ofMillis(250), COST_AFTER_REPLIES, 5, Duration.ofSeconds(30), workerEnvironment).run();
    }

    /** Runs a part in two ways and prints their figures side by side. */
    private static void sideBySide(String leftName, Part left, String rightName, Part right) {
        Map<String, String> leftResults = section(left);
        Map<String, String> rightResults = section(right);
        Map<String, String> names = new LinkedHashMap<>(leftResults);
        names.putAll(rightResults);
        int width = names.keySet().stream().mapToInt(String::length).max().orElse(0) + 1;
        int leftWidth = Math.max(leftName.length(), leftResults.values().stream().mapToInt(String::length).max()
                .orElse(0)) + 1;
        String line = "  %-" + width + "s %-" + leftWidth + "s %s%n";
        System.out.printf(line, "", leftName, rightName);
        names.keySet().forEach(name -> System.out.printf(line, name, leftResults.getOrDefault(name, "-"),
                rightResults.getOrDefault(name, "-")));
    }

    /** One part's figures, a line each. */
    static void print(Map<String, String> results) {
        results.forEach((name, value) -> System.out.printf("  %-42s %s%n", name, value));
    }

    private interface Part {
        Map<String, String> run() throws Exception;
    }

    /** Runs one part; a part that fails prints why and gives no figures, and the next part still runs. */
    private static Map<String, String> section(Part part) {
        try {
            return part.run();
        } catch (Exception | AssertionError e) {
            System.out.println("  FAILED: " + e);
            e.printStackTrace(System.out);
            return Map.of();
        }
    }

    /**
     * Cold start and warm first chunk, OpenCode alone against the same through the worker. The warm
     * turns alternate (direct in a server of its own, direct in the worker's server, through the
     * worker), so that a drift in the machine's speed (this kind of virtual machine drifts by tens of
     * percent within minutes) weighs on all alike.
     * They are measured twice: after {@code DIRECT_AFTER_TURNS} turns on each side, a worker just
     * started (the JIT compilers at work during its turns) and one that has answered for a while.
     */
    static Map<String, String> direct(String name, Map<String, String> workerEnvironment) throws Exception {
        Map<String, String> results = new LinkedHashMap<>();
        try (Deployment deployment = new Deployment(Files.createTempDirectory("bench-direct"))) {
            String session = deployment.createSession(deployment.createWorker("project"));
            WorkerProcess worker = deployment.startProcess(workerEnvironment);
            Waits.until(Duration.ofSeconds(120), () -> "online".equals(deployment.machineStatus()));
            String cold = deployment.send(session, "cold");
            Timeline coldRun = Timeline.awaitEnded(deployment.convex(), List.of(cold), Timeline.ONE_AT_A_TIME,
                    Duration.ofSeconds(120));
            results.put("worker cold first chunk, send to stored (ms)", show(coldRun.sendToFirstChunk(cold)));
            Path directory = deployment.root().resolve("direct");
            Files.createDirectories(directory);
            // OpenCode as the worker starts it (its switches, permissions, a password), so that only the
            // way it is driven differs.
            List<Long> workersOpenCode = Procs.openCodeServers(deployment.root());
            if (workersOpenCode.size() != 1) {
                throw new IllegalStateException("expected the worker's one OpenCode server, found " + workersOpenCode);
            }
            long workersServer = workersOpenCode.get(0);
            Map<String, String> environment = Procs.environment(workersServer);
            try (DirectOpenCode direct = DirectOpenCode.start(Deployment.openCodeBinary(), directory, environment);
                 DirectOpenCode inWorkersServer = DirectOpenCode.attach(workersServer,
                         Procs.listeningUrl(workersServer), environment)) {
                results.put("OpenCode cold start, spawn to events open (ms)", Long.toString(direct.coldStartMillis()));
                Turns turns = new Turns(name, deployment, session, worker.pid(), workersServer,
                        new Direct(direct, direct.createSession()),
                        new Direct(inWorkersServer, inWorkersServer.createSession()));
                // Every side takes the same warm-up turns, so that their chats are as long.
                Windows.atEach(DIRECT_AFTER_TURNS, DIRECT_TURNS, i -> {
                    answered(deployment, session, "warm up " + i);
                    turns.own().turn("warm up " + i);
                    turns.inWorkersServer().turn("warm up " + i);
                }, (after, count) -> turns.alternate(after, count, results));
            }
            worker.terminate();
            worker.awaitExit(Duration.ofSeconds(30));
        }
        return results;
    }

    /** OpenCode driven directly in a session of its own. */
    private record Direct(DirectOpenCode server, String session) {
        /** One turn; the time from the prompt to the first delta (ms). */
        double turn(String text) throws Exception {
            return server.firstDeltaMillis(session, text);
        }
    }

    /**
     * Warm turns of the worker and of OpenCode driven directly, alternating, each on a quiet machine.
     * Directly in two ways: a server of its own ({@code own}), and the worker's own server, in a
     * session beside the worker's ({@code inWorkersServer}). The second compares the worker with the
     * very process it drives: two OpenCode servers, each its own heap and JIT, do not answer alike.
     */
    private record Turns(String name, Deployment deployment, String session, long workerPid, long workersServerPid,
                         Direct own, Direct inWorkersServer) {

        /** {@code count} turns on each side, after {@code after}; puts their figures into {@code results}. */
        void alternate(int after, int count, Map<String, String> results) throws Exception {
            String suffix = Windows.suffix(after);
            List<Double> ownFirst = new ArrayList<>();
            List<Double> inServerFirst = new ArrayList<>();
            List<String> warm = new ArrayList<>();
            List<Double> quietWaits = new ArrayList<>();
            long workersServerDuringOwn = 0;
            long ownDuringWorker = 0;
            long workerDuringInServer = 0;
            long ownPid = own.server().pid();
            LongSupplier busy = () -> Procs.cpuMillis(workerPid) + Procs.cpuMillis(workersServerPid)
                    + Procs.cpuMillis(ownPid);
            // Each turn starts on a quiet machine: OpenCode works on after a turn's end (its trailing
            // session.diff and summary, about 90 ms of CPU here), which fell on the other side's turn when
            // one followed the other at once (docs/performance.md).
            for (int i = 0; i < count; i++) {
                quietWaits.add((double) Waits.quiet(QUIET_BEFORE_TURN, Duration.ofSeconds(5), busy));
                long before = Procs.cpuMillis(workersServerPid);
                ownFirst.add(own.turn("hello " + i));
                workersServerDuringOwn += Procs.cpuMillis(workersServerPid) - before;
                quietWaits.add((double) Waits.quiet(QUIET_BEFORE_TURN, Duration.ofSeconds(5), busy));
                before = Procs.cpuMillis(workerPid);
                inServerFirst.add(inWorkersServer.turn("hello " + i));
                workerDuringInServer += Procs.cpuMillis(workerPid) - before;
                quietWaits.add((double) Waits.quiet(QUIET_BEFORE_TURN, Duration.ofSeconds(5), busy));
                before = Procs.cpuMillis(ownPid);
                warm.add(workerTurn(deployment, session, "hello " + i));
                ownDuringWorker += Procs.cpuMillis(ownPid) - before;
            }
            results.put("wait for a quiet machine before a turn p50 (ms)" + suffix,
                    String.format("%.0f", percentile(quietWaits, 50)));
            results.put("OpenCode direct's CPU during a worker turn, mean (ms)" + suffix,
                    Long.toString(ownDuringWorker / count));
            results.put("the worker's OpenCode CPU during a direct turn, mean (ms)" + suffix,
                    Long.toString(workersServerDuringOwn / count));
            results.put("the worker's CPU during a direct turn in its server, mean (ms)" + suffix,
                    Long.toString(workerDuringInServer / count));
            Timeline timeline = Timeline.of(deployment.convex());
            double ownMedian = percentile(ownFirst, 50);
            double inServerMedian = percentile(inServerFirst, 50);
            double toChunk = median(warm, timeline::sendToFirstChunk);
            double deploymentRuns = median(warm, timeline::deploymentRunningClaimAndFirstAppend);
            results.put("OpenCode direct warm first delta p50 (ms)" + suffix, String.format("%.1f", ownMedian));
            results.put("the same in the worker's server p50 (ms)" + suffix, String.format("%.1f", inServerMedian));
            results.put("worker warm send to first chunk stored p50 (ms)" + suffix, String.format("%.1f", toChunk));
            results.put("  of which send to claimed p50 (ms)" + suffix,
                    String.format("%.1f", median(warm, timeline::sendToClaim)));
            results.put("  of which claimed to chunk stored p50 (ms)" + suffix,
                    String.format("%.1f", median(warm, timeline::claimToFirstChunk)));
            results.put("  of which the deployment running claim and append p50 (ms)" + suffix,
                    String.format("%.1f", deploymentRuns));
            // The pairs: each worker turn with the direct turns just before it.
            List<Double> workerFirst = new ArrayList<>();
            List<Double> ownPaired = new ArrayList<>();
            List<Double> inServerPaired = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < warm.size(); i++) {
                OptionalLong ms = timeline.sendToFirstChunk(warm.get(i));
                if (ms.isPresent()) {
                    workerFirst.add((double) ms.getAsLong());
                    ownPaired.add(ownFirst.get(i));
                    inServerPaired.add(inServerFirst.get(i));
                    lines.add(new Pooled.Turn(RUN, BUILD, name, after, ownFirst.get(i), inServerFirst.get(i), ms.getAsLong())
                            .line());
                }
            }
            Files.createDirectories(TURNS_FILE.getParent());
            Files.write(TURNS_FILE, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Overhead overOwn = Overhead.of(workerFirst, ownPaired);
            results.put("worker warm first-chunk overhead p50, 95 % interval (ms)" + suffix, overOwn.toString());
            results.put("  without the deployment's running time (ms)" + suffix,
                    String.format("%.1f", overOwn.estimate() - deploymentRuns));
            results.put("the same over its own server driven directly (ms)" + suffix,
                    Overhead.of(workerFirst, inServerPaired).toString());
        }
    }

    /** Sends one message and waits, polling, until it has ended; returns its id. */
    static String answered(Deployment deployment, String session, String text) throws Exception {
        String id = deployment.send(session, text);
        Waits.until(Duration.ofSeconds(120), () -> deployment.ended(id));
        return id;
    }

    /** Sends one measured message through the worker and waits for its end; returns its id. */
    private static String workerTurn(Deployment deployment, String session, String text) throws Exception {
        String id = deployment.send(session, text);
        // Not a poll of the deployment until the first chunk is surely stored: each poll is work for the
        // deployment, on the two cores the worker and its OpenCode answer on (a direct turn has no such load).
        Waits.pause(QUIET_AFTER_SEND);
        Timeline.awaitEnded(deployment.convex(), List.of(id), Timeline.ONE_AT_A_TIME, Duration.ofSeconds(60));
        return id;
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
                        Waits.pause(Duration.ofMillis(500));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            List<String> sent = new ArrayList<>();
            for (int round = 1; round <= 5; round++) {
                for (String session : sessions) {
                    sent.add(deployment.send(session, "message " + round));
                }
            }
            Timeline timeline = Timeline.awaitEnded(deployment.convex(), sent, Timeline.UNDER_LOAD,
                    Duration.ofMinutes(10));
            sampler.interrupt();
            List<Double> firstChunk = new ArrayList<>();
            sent.forEach(id -> timeline.sendToFirstChunk(id).ifPresent(ms -> firstChunk.add(ms / 1000.0)));
            results.put("wall time, 100 messages (s)", String.format("%.1f", timeline.span(sent) / 1000.0));
            results.put("failed", Long.toString(sent.stream().filter(id -> !timeline.completed(id)).count()));
            results.put("not ended exactly once", Long.toString(sent.stream().filter(id -> timeline.endings(id) != 1)
                    .count()));
            results.put("first chunk p50 (s)", String.format("%.1f", percentile(firstChunk, 50)));
            results.put("first chunk p95 (s)", String.format("%.1f", percentile(firstChunk, 95)));
            results.put("OpenCode starts", Long.toString(deployment.openCodeStarts()));
            results.put("peak RSS, all OpenCode (MiB)", Long.toString(peakOpenCodeKib.get() / 1024));
            results.put("peak RSS, worker (MiB)", Long.toString(Procs.peakRssKib(worker.pid()) / 1024));
            worker.terminate();
            worker.awaitExit(Duration.ofSeconds(60));
        }
        return results;
    }

    private static double median(List<String> ids, Function<String, OptionalLong> measure) {
        List<Double> values = new ArrayList<>();
        ids.forEach(id -> measure.apply(id).ifPresent(ms -> values.add((double) ms)));
        return percentile(values, 50);
    }

    private static String show(OptionalLong ms) {
        return ms.isPresent() ? Long.toString(ms.getAsLong()) : "no chunk";
    }

    static double percentile(Collection<Double> values, double percent) {
        List<Double> sorted = values.stream().sorted().toList();
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
