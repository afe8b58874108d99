package com.opencodeworker.presentation.service;

import java.util.List;

/**
 * The JVM options the installed launcher ({@code bin/opencode-worker}) and the service start the
 * worker with; {@code java -jar} cannot carry options, so it runs with the JVM's defaults. The worker
 * waits on sockets and moves small messages: it needs no peak throughput, and these cut what it costs
 * the machine while it runs for days (docs/performance.md has the figures):
 * <ul>
 *   <li>{@code -XX:TieredStopAtLevel=1}: the quick C1 compiler only, about 0.5 to 0.7 s of compiling
 *       in the first hundred replies instead of 3 to 5 s, and no C2 compiles still running later;</li>
 *   <li>{@code -XX:+UseSerialGC}: one garbage collector thread, for a heap of tens of MiB;</li>
 *   <li>{@code -XX:-UsePerfData}: no performance counters sampled every 50 ms, also when idle
 *       (and no {@code hsperfdata} file; {@code jcmd} still works, {@code jstat} does not).</li>
 * </ul>
 * The launcher's copy is checked against this list by a test; {@code JAVA_OPTS} comes after them, so
 * a user's option wins.
 */
public final class DaemonJvmOptions {
    public static final List<String> OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-XX:-UsePerfData");

    private DaemonJvmOptions() {
    }
}
