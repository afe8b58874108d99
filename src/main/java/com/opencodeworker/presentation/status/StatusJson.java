package com.opencodeworker.presentation.status;

import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON form of a {@link StatusBoard.Snapshot}, as {@code status --json} prints it. */
final class StatusJson {
    private StatusJson() {
    }

    static Map<String, Object> of(StatusBoard.Snapshot snapshot) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", snapshot.version());
        json.put("pid", snapshot.pid());
        json.put("uptimeSeconds", snapshot.uptime().toSeconds());
        json.put("connection", snapshot.connection());
        json.put("machine", Map.of("id", snapshot.machineId(), "name", snapshot.machineName()));
        json.put("configFile", snapshot.configFile());
        json.put("root", snapshot.root());
        json.put("workers", snapshot.workers().stream().map(w -> {
            Map<String, Object> worker = new LinkedHashMap<>();
            worker.put("id", w.id());
            worker.put("name", w.name());
            worker.put("directory", w.directory());
            worker.put("state", w.state());
            return worker;
        }).toList());
        json.put("sessions", snapshot.sessions().stream().map(s -> {
            Map<String, Object> session = new LinkedHashMap<>();
            session.put("id", s.session());
            session.put("directory", s.directory());
            session.put("openCodePid", s.openCodePid());
            session.put("state", s.state());
            session.put("reply", s.reply().map(r -> {
                Map<String, Object> reply = new LinkedHashMap<>();
                reply.put("message", r.message());
                reply.put("model", r.model());
                reply.put("chunks", r.chunks());
                return (Object) reply;
            }).orElse(null));
            return session;
        }).toList());
        return json;
    }
}
