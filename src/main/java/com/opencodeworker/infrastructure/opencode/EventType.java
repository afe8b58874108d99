package com.opencodeworker.infrastructure.opencode;

import java.util.Optional;

/**
 * Reads an event's {@code type} from its raw JSON without parsing it, so that the many events
 * the worker ignores (plugin, catalog and session bookkeeping) cost no JSON tree. OpenCode writes
 * {@code {"id":"evt_…","type":"…",…}}: the type is near the start.
 */
final class EventType {
    private static final String FIELD = "\"type\":\"";
    private static final int SEARCH_WINDOW = 120;

    private EventType() {
    }

    /** The type, when it is found near the start and holds no escapes; otherwise empty. */
    static Optional<String> peek(String data) {
        int field = data.indexOf(FIELD);
        if (field < 0 || field > SEARCH_WINDOW) {
            return Optional.empty();
        }
        int start = field + FIELD.length();
        int end = data.indexOf('"', start);
        if (end < 0 || data.lastIndexOf('\\', end) >= start) {
            return Optional.empty();
        }
        return Optional.of(data.substring(start, end));
    }
}
