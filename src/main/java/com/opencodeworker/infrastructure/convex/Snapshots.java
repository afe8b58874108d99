package com.opencodeworker.infrastructure.convex;

import com.opencodeworker.domain.Session;
import com.opencodeworker.domain.WorkItem;
import com.opencodeworker.domain.Worker;
import com.opencodeworker.domain.port.Backend.MachineState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Decodes whole snapshots of {@code machines:state} and {@code messages:work}. A bad record is
 * skipped with one warning naming it, so one odd row never hides the others; a snapshot that is
 * not even of the right shape is a {@link FormatException}. Thread-safe.
 */
final class Snapshots {
    static final String STATE = "machines:state";
    static final String WORK = "messages:work";

    private final RecordWarnings warnings;
    private final SecretScrubber scrubber;

    Snapshots(RecordWarnings warnings, SecretScrubber scrubber) {
        this.warnings = warnings;
        this.scrubber = scrubber;
    }

    MachineState state(Object value) {
        Map<?, ?> state = Values.object(value, STATE);
        List<Worker> workers = records(STATE, Values.list(state.get("workers"), "workers"),
                "worker", "workerId", Records::worker);
        List<Session> sessions = records(STATE, Values.list(state.get("sessions"), "sessions"),
                "session", "sessionId", Records::session);
        return new MachineState(workers, sessions);
    }

    List<WorkItem> work(Object value) {
        return records(WORK, Values.list(value, WORK), "work item of message", "messageId",
                Records::workItem);
    }

    private <T> List<T> records(String function, List<?> rows, String kind, String idField,
                                Function<Map<?, ?>, T> decode) {
        List<T> decoded = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Object row = rows.get(i);
            String name = row instanceof Map<?, ?> map
                    ? Records.idOf(map, idField).map(id -> kind + " " + id).orElse(kind + " #" + i + " (no valid " + idField + ")")
                    : kind + " #" + i;
            try {
                decoded.add(decode.apply(Values.object(row, name)));
            } catch (FormatException e) {
                warnings.skipped(function, name, scrubber.scrub(e.getMessage()));
            }
        }
        return decoded;
    }
}
