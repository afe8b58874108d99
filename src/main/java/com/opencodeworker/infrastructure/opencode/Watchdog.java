package com.opencodeworker.infrastructure.opencode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The tiny shell parent every server runs under, so that no server outlives the JVM: its stdin
 * is a pipe from the JVM, and when that pipe ends (the JVM died, even by SIGKILL) it terminates
 * the server, then kills it after the grace period. It prints the server's pid on a marker line,
 * forwards SIGTERM to the server, waits for it and exits with its status.
 */
final class Watchdog {
    static final String CHILD_MARK = "@@opencode-worker-child ";

    // fd 3 keeps the JVM pipe for the EOF watcher; the server itself gets /dev/null as stdin.
    // Each helper is waited for by its parent, so none is left as a zombie for init to reap.
    private static final String SCRIPT = String.join("\n",
            "ticks=$1; shift",
            "exec 3<&0 </dev/null",
            "\"$@\" 3<&- &",
            "c=$!",
            "echo \"" + CHILD_MARK + "$c\"",
            "(",
            "  cat <&3 >/dev/null 3<&- &",
            "  k=$!",
            "  trap 'kill $k 2>/dev/null; wait $k; exit 0' TERM",
            "  wait $k",
            "  kill -TERM $c 2>/dev/null",
            "  i=0; while [ $i -lt $ticks ] && kill -0 $c 2>/dev/null; do sleep 0.1; i=$((i+1)); done",
            "  kill -KILL $c 2>/dev/null",
            ") >/dev/null 2>&1 &",
            "w=$!",
            "exec 3<&-",
            "trap 'kill -TERM $c 2>/dev/null' TERM INT HUP",
            "while :; do wait $c; rc=$?; kill -0 $c 2>/dev/null || break; done",
            "kill -TERM $w 2>/dev/null",
            "wait $w",
            "exit $rc");

    private Watchdog() {
    }

    /** The command that runs {@code server} under the watchdog. */
    static List<String> wrap(List<String> server, Duration killAfter) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", SCRIPT, "opencode-watchdog",
                Long.toString(Math.max(1, killAfter.toMillis() / 100))));
        command.addAll(server);
        return command;
    }
}
