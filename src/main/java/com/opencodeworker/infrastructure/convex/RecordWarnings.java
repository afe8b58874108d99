package com.opencodeworker.infrastructure.convex;

import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one WARN per distinct bad record, however often the snapshots that carry it arrive. It
 * remembers at most {@value #MAX_REMEMBERED} records; past that it forgets them all, so a flood of
 * bad records is warned about again at most once per that many. All mutable state is guarded by this.
 */
final class RecordWarnings {
    static final int MAX_REMEMBERED = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(RecordWarnings.class);

    private final Set<String> warned = new HashSet<>();

    /** Warns that a record was skipped, unless the same record was reported for the same reason before. */
    synchronized void skipped(String function, String record, String reason) {
        String key = function + '\n' + record + '\n' + reason;
        if (warned.contains(key)) {
            return;
        }
        if (warned.size() >= MAX_REMEMBERED) {
            warned.clear();
        }
        warned.add(key);
        LOG.warn("{}: skipped {}: {}", function, record, reason);
    }
}
