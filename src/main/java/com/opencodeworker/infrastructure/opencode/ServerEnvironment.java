package com.opencodeworker.infrastructure.opencode;

import java.util.HashMap;
import java.util.Map;

/**
 * The environment entries a server gets on top of the worker's own (which carries the user's
 * provider keys and {@code OPENCODE_CONFIG_CONTENT}): quiet and offline switches, the policy's
 * permissions and the per-process password. A {@code null} value removes an inherited entry: the
 * worker's own machine token never reaches OpenCode, whose tools (and so the model) can read the
 * environment.
 */
final class ServerEnvironment {
    static final Map<String, String> QUIET = Map.of(
            "OPENCODE_DISABLE_AUTOUPDATE", "1",
            "OPENCODE_DISABLE_MODELS_FETCH", "1",
            "OPENCODE_DISABLE_LSP_DOWNLOAD", "1",
            "OPENCODE_DISABLE_SHARE", "1",
            "OPENCODE_DISABLE_CLAUDE_CODE", "1",
            "OPENCODE_DISABLE_EXTERNAL_SKILLS", "1");

    private ServerEnvironment() {
    }

    static Map<String, String> build(Map<String, String> extra, String permissionJson, ServerCredentials credentials) {
        Map<String, String> environment = new HashMap<>(extra);
        environment.putAll(QUIET);
        environment.put("OPENCODE_PERMISSION", permissionJson);
        environment.put("OPENCODE_SERVER_PASSWORD", credentials.password());
        environment.put("OPENCODE_SERVER_USERNAME", null);
        environment.put("MACHINE_TOKEN", null);
        return environment;
    }
}
