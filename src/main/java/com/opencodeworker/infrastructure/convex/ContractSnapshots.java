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
 * not even of the right shape is a {@link ContractFormatException}. Thread-safe.
 */
final class ContractSnapshots {
    static final String STATE = "machines:state";
    static final String WORK = "messages:work";

    private final ContractRecordWarnings warnings;
    private final ContractScrubber scrubber;

    ContractSnapshots(ContractRecordWarnings warnings, ContractScrubber scrubber) {
        this.warnings = warnings;
        this.scrubber = scrubber;
    }

    MachineState state(Object value) {
        Map<?, ?> state = ContractValues.object(value, STATE);
        List<Worker> workers = records(STATE, ContractValues.list(state.get("workers"), "workers"),
                "worker", "workerId", ContractRecords::worker);
        List<Session> sessions = records(STATE, ContractValues.list(state.get("sessions"), "sessions"),
                "session", "sessionId", ContractRecords::session);
        return new MachineState(workers, sessions);
    }

    List<WorkItem> work(Object value) {
        return records(WORK, ContractValues.list(value, WORK), "work item of message", "messageId",
                ContractRecords::workItem);
    }

    private <T> List<T> records(String function, List<?> rows, String kind, String idField,
                                Function<Map<?, ?>, T> decode) {
        List<T> decoded = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Object row = rows.get(i);
            String name = row instanceof Map<?, ?> map
                    ? ContractRecords.idOf(map, idField).map(id -> kind + " " + id).orElse(kind + " #" + i + " (no valid " + idField + ")")
                    : kind + " #" + i;
            try {
                decoded.add(decode.apply(ContractValues.object(row, name)));
            } catch (ContractFormatException e) {
                warnings.skipped(function, name, scrubber.scrub(e.getMessage()));
            }
        }
        return decoded;
    }
}
