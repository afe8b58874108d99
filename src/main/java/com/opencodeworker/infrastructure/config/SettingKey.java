package com.opencodeworker.infrastructure.config;

/** The worker's settings with their command-line flag and environment variable. */
public enum SettingKey {
    TOKEN("--token", "MACHINE_TOKEN", "machine token"),
    CONVEX_URL("--convex-url", "CONVEX_URL", "Convex URL"),
    ROOT_DIRECTORY("--root", "ROOT_DIRECTORY", "root directory"),
    CONFIG_PATH("--config", "CONFIG_PATH", "config path"),
    IDLE_TIMEOUT("--idle-timeout", "IDLE_TIMEOUT", "idle timeout"),
    SYNC_INTERVAL("--sync-interval", "SYNC_INTERVAL", "sync interval"),
    OPENCODE_BIN("--opencode-bin", "OPENCODE_BIN", "OpenCode binary"),
    MAX_SESSIONS("--max-sessions", "MAX_SESSIONS", "max sessions"),
    SHUTDOWN_GRACE("--shutdown-grace", "SHUTDOWN_GRACE", "shutdown grace"),
    PERMISSION_POLICY("--permission-policy", "PERMISSION_POLICY", "permission policy"),
    PROCESS_MODE("--process-mode", "PROCESS_MODE", "process mode");

    private final String flag;
    private final String variable;
    private final String label;

    SettingKey(String flag, String variable, String label) {
        this.flag = flag;
        this.variable = variable;
        this.label = label;
    }

    public String flag() {
        return flag;
    }

    public String variable() {
        return variable;
    }

    /** How error messages name the setting. */
    public String label() {
        return label;
    }
}
