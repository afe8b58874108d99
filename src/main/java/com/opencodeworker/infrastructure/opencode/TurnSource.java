package com.opencodeworker.infrastructure.opencode;

import com.fasterxml.jackson.databind.JsonNode;

/** Where a turn re-reads the truth when the event stream signals (or may have missed) its end. */
interface TurnSource {

    /** True while OpenCode reports the session busy or retrying. */
    boolean isBusy(String sessionId);

    /** The session's history, {@code [{"info":..., "parts":[...]}]}, oldest first. */
    JsonNode messages(String sessionId);

    /** The newest {@code limit} messages of the session's history, oldest first. */
    JsonNode recentMessages(String sessionId, int limit);

    /** Asks OpenCode to stop the session's running turn. */
    void abort(String sessionId);
}
