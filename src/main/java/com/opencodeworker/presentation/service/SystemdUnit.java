package com.opencodeworker.presentation.service;

import java.util.List;
import java.util.stream.Collectors;

/** The systemd user unit of the worker ({@code ~/.config/systemd/user/opencode-worker.service}). */
public final class SystemdUnit {
    public static final String NAME = "opencode-worker.service";

    private SystemdUnit() {
    }

    public static String render(ServiceDefinition service) {
        return String.join("\n",
                "# Written by `opencode-worker service install`; `opencode-worker service uninstall` removes it.",
                "[Unit]",
                "Description=opencode-worker: OpenCode assistants for the web app",
                "Wants=network-online.target",
                "After=network-online.target",
                "",
                "[Service]",
                "Type=exec",
                "ExecStart=" + quoted(service.command()),
                // A path setting: the rest of the line, unquoted; only specifiers need escaping.
                "WorkingDirectory=" + service.workingDirectory().toString().replace("%", "%%"),
                "Environment=" + quote("PATH=" + service.path()),
                // SIGTERM to the worker alone: it lets replies finish, then stops OpenCode itself;
                // whatever is left after the timeout is killed.
                "KillMode=mixed",
                "KillSignal=SIGTERM",
                "TimeoutStopSec=" + service.stopTimeout().toSeconds(),
                "Restart=on-failure",
                "RestartSec=10",
                "# Bad configuration, a rejected token, superseded, already running: a restart cannot fix these.",
                "RestartPreventExitStatus=" + ServiceDefinition.FINAL_EXIT_CODES.stream().map(String::valueOf)
                        .collect(Collectors.joining(" ")),
                "# Hardening a user unit and the JVM tolerate (no MemoryDenyWriteExecute: the JIT writes code).",
                "NoNewPrivileges=yes",
                "LockPersonality=yes",
                "RestrictRealtime=yes",
                "RestrictSUIDSGID=yes",
                "SystemCallArchitectures=native",
                "UMask=0077",
                "",
                "[Install]",
                "WantedBy=default.target",
                "");
    }

    private static String quoted(List<String> words) {
        return words.stream().map(SystemdUnit::quote).collect(Collectors.joining(" "));
    }

    /** systemd's double-quoted word: backslash, quote, and the specifier and variable signs escaped. */
    private static String quote(String word) {
        return "\"" + word.replace("\\", "\\\\").replace("\"", "\\\"").replace("%", "%%").replace("$", "$$") + "\"";
    }
}
