package com.opencodeworker.presentation.service;

import java.util.stream.Collectors;

/** The launchd agent of the worker on macOS ({@code ~/Library/LaunchAgents/com.opencodeworker.worker.plist}). */
public final class LaunchdAgent {
    public static final String LABEL = "com.opencodeworker.worker";
    public static final String FILE = LABEL + ".plist";

    private LaunchdAgent() {
    }

    public static String render(ServiceDefinition service) {
        String arguments = service.command().stream().map(word -> "    <string>" + xml(word) + "</string>")
                .collect(Collectors.joining("\n"));
        return String.join("\n",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">",
                "<!-- Written by `opencode-worker service install`; `opencode-worker service uninstall` removes it. -->",
                "<plist version=\"1.0\">",
                "<dict>",
                "  <key>Label</key>",
                "  <string>" + LABEL + "</string>",
                "  <key>ProgramArguments</key>",
                "  <array>",
                arguments,
                "  </array>",
                "  <key>EnvironmentVariables</key>",
                "  <dict>",
                "    <key>PATH</key>",
                "    <string>" + xml(service.path()) + "</string>",
                "  </dict>",
                "  <key>WorkingDirectory</key>",
                "  <string>" + xml(service.workingDirectory().toString()) + "</string>",
                "  <key>RunAtLoad</key>",
                "  <true/>",
                "  <!-- Restarted after a failure only; launchd cannot exempt exit codes, so restarts are throttled. -->",
                "  <key>KeepAlive</key>",
                "  <dict>",
                "    <key>SuccessfulExit</key>",
                "    <false/>",
                "  </dict>",
                "  <key>ThrottleInterval</key>",
                "  <integer>60</integer>",
                "  <key>ExitTimeOut</key>",
                "  <integer>" + service.stopTimeout().toSeconds() + "</integer>",
                "  <key>StandardErrorPath</key>",
                "  <string>" + xml(service.logFile().toString()) + "</string>",
                "  <key>StandardOutPath</key>",
                "  <string>" + xml(service.logFile().toString()) + "</string>",
                "</dict>",
                "</plist>",
                "");
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
