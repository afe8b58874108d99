package com.opencodeworker.presentation.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The status as {@code opencode-worker status} prints it for a person. */
public final class StatusText {
    private StatusText() {
    }

    /** The lines {@code status} prints for a person, from the JSON the endpoint answered. */
    @SuppressWarnings("unchecked")
    public static List<String> lines(Map<String, Object> json) {
        List<String> lines = new ArrayList<>();
        Map<String, Object> machine = (Map<String, Object>) json.get("machine");
        lines.add("opencode-worker " + json.get("version") + " running (pid " + json.get("pid") + ", up "
                + uptime(((Number) json.get("uptimeSeconds")).longValue()) + ")");
        lines.add("  machine:    \"" + machine.get("name") + "\" (" + machine.get("id") + "), " + json.get("connection"));
        lines.add("  config:     " + json.get("configFile"));
        lines.add("  root:       " + json.get("root"));
        List<Map<String, Object>> workers = (List<Map<String, Object>>) json.get("workers");
        lines.add("  workers:    " + (workers.isEmpty() ? "none" : ""));
        for (Map<String, Object> w : workers) {
            lines.add("    " + w.get("name") + " (" + w.get("id") + ") in " + w.get("directory") + ": " + w.get("state"));
        }
        List<Map<String, Object>> sessions = (List<Map<String, Object>>) json.get("sessions");
        lines.add("  sessions:   " + (sessions.isEmpty() ? "no OpenCode running" : ""));
        for (Map<String, Object> s : sessions) {
            Map<String, Object> reply = (Map<String, Object>) s.get("reply");
            String doing = reply == null ? String.valueOf(s.get("state"))
                    : "replying to " + reply.get("message") + " (model " + reply.get("model") + ", " + reply.get("chunks")
                    + " chunks so far)";
            lines.add("    " + s.get("id") + " in " + s.get("directory") + ": OpenCode pid " + s.get("openCodePid") + ", "
                    + doing);
        }
        return lines;
    }

    private static String uptime(long seconds) {
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min";
        }
        return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }
}
