package com.opencodeworker.infrastructure.opencode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The tiny shell parent every server runs under, so that no server outlives the JVM: its stdin
 * is a pipe from the JVM, and when that pipe ends (the JVM died, even by SIGKILL) it terminates
 * the server's process group, then kills it after the grace period. It prints the server's pid on
 * a marker line, waits for the server and exits with its status.
 *
 * <p>Stops belong to the worker alone: a Ctrl-C or a {@code kill -- -pgid} (as {@code systemctl
 * stop} sends) reaches the whole process group of the JVM. So the server runs in a session of its
 * own ({@code setsid}, or {@code perl}'s {@code setpgrp} where there is no {@code setsid}, as on
 * macOS) and the watchdog's own processes, which stay in the JVM's group, ignore INT, TERM and HUP;
 * the JVM drains and then stops the server itself.
 */
final class Watchdog {
    static final String CHILD_MARK = "@@opencode-worker-child ";

    // fd 3 keeps the JVM pipe for the EOF watcher; the server itself gets /dev/null as stdin.
    // Each helper is waited for by its parent, so none is left as a zombie for init to reap.
    // The watcher is told to end by USR1, since it ignores TERM like the rest of the group; its cat,
    // which ignores TERM too, is ended by KILL. The server gets TERM and HUP back to their defaults.
    // "kill -SIG -$c" signals the server's whole group; "|| kill -SIG $c" when it has none of its own.
    private static final String SCRIPT = String.join("\n",
            "ticks=$1; shift",
            "trap '' INT TERM HUP",
            "if command -v setsid >/dev/null 2>&1; then set -- setsid \"$@\"",
            "elif command -v perl >/dev/null 2>&1; then",
            "  set -- perl -e 'setpgrp(0, 0); exec { $ARGV[0] } @ARGV or die \"cannot run $ARGV[0]: $!\\n\"' \"$@\"",
            "fi",
            // A worker started where these signals are ignored (nohup, a shell's background job) hands that
            // down, and a shell cannot undo it; perl can, so the server stops when the worker asks.
            "if command -v perl >/dev/null 2>&1; then",
            "  set -- perl -e '$SIG{$_} = \"DEFAULT\" for qw(INT TERM HUP); exec { $ARGV[0] } @ARGV"
                    + " or die \"cannot run $ARGV[0]: $!\\n\"' \"$@\"",
            "fi",
            "exec 3<&0 </dev/null",
            "( trap - TERM HUP; exec \"$@\" ) 3<&- &",
            "c=$!",
            "echo \"" + CHILD_MARK + "$c\"",
            "(",
            "  cat <&3 >/dev/null 3<&- &",
            "  k=$!",
            "  trap 'kill -KILL $k 2>/dev/null; wait $k; exit 0' USR1",
            "  wait $k",
            "  kill -TERM -$c 2>/dev/null || kill -TERM $c 2>/dev/null",
            "  i=0; while [ $i -lt $ticks ] && kill -0 $c 2>/dev/null; do sleep 0.1; i=$((i+1)); done",
            "  kill -KILL -$c 2>/dev/null || kill -KILL $c 2>/dev/null",
            ") >/dev/null 2>&1 &",
            "w=$!",
            "exec 3<&-",
            "while :; do wait $c; rc=$?; kill -0 $c 2>/dev/null || break; done",
            "kill -USR1 $w 2>/dev/null",
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
