package com.opencodeworker.presentation.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import picocli.CommandLine;

/** The files {@code service install} writes, and the service manager commands it runs (recorded, not run). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServiceCommandTest {
    private static final String TOKEN = "mch_abc123:sec_xyz789AB";

    @TempDir
    Path home;
    private final List<List<String>> managed = new ArrayList<>();
    private Path config;

    private record Result(int exitCode, String out, String err) {
    }

    @BeforeEach
    void storeAConfig() throws IOException {
        config = home.resolve(".config/opencode-worker/config.json");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "{\"token\":\"" + TOKEN + "\",\"rootDirectory\":\"" + home
                + "\",\"convexUrl\":\"https://happy-otter-123.convex.cloud\"}");
    }

    private Result run(String osName, String... args) {
        ServiceCommand command = new ServiceCommand(Map.of("HOME", home.toString(), "PATH", "/opt/node/bin:/usr/bin",
                "USER", "ann"), home, osName, cmd -> {
                    managed.add(cmd);
                    return new ServiceCommand.ServiceManager.Result(0, "");
                });
        CommandLine commandLine = new CommandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return new Result(commandLine.execute(args), out.toString(), err.toString());
    }

    @Test
    void installWritesASystemdUserUnitThatStopsTheWorkerAloneAndDoesNotRestartWhatARestartCannotFix()
            throws Exception {
        Result result = run("Linux", "install");

        assertThat(result.exitCode()).as(result.err()).isZero();
        Path unit = home.resolve(".config/systemd/user/opencode-worker.service");
        String text = Files.readString(unit);
        assertThat(text).contains("\nKillMode=mixed\n", "\nKillSignal=SIGTERM\n", "\nRestart=on-failure\n",
                "\nRestartPreventExitStatus=2 3 4 5\n", "\nTimeoutStopSec=60\n", "\nNoNewPrivileges=yes\n",
                "\nWantedBy=default.target\n", "\nEnvironment=\"PATH=/opt/node/bin:/usr/bin\"\n",
                "\nWorkingDirectory=" + home + "\n")
                .doesNotContain("MemoryDenyWriteExecute=yes").doesNotContain(TOKEN).doesNotContain("sec_");
        String execStart = text.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
        assertThat(execStart).startsWith("ExecStart=\"" + Path.of(System.getProperty("java.home"), "bin", "java") + "\" "
                        + "\"-XX:TieredStopAtLevel=1\" \"-XX:+UseSerialGC\" \"-XX:-UsePerfData\" \"-cp\" ")
                .endsWith("\"com.opencodeworker.Main\" \"--config\" \"" + config + "\"");
        assertThat(managed).containsExactly(List.of("systemctl", "--user", "daemon-reload"),
                List.of("systemctl", "--user", "enable", "--now", "opencode-worker.service"));
        assertThat(result.out()).contains("Wrote " + unit).contains("journalctl --user -u opencode-worker -f")
                .contains("loginctl enable-linger ann");
        verifyWithSystemdWhereItExists(unit);
    }

    /** systemd-analyze checks the unit's syntax and that ExecStart's binary exists; not every machine has it. */
    private static void verifyWithSystemdWhereItExists(Path unit) throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (!Files.isExecutable(analyze)) {
            return;
        }
        Process process = new ProcessBuilder(analyze.toString(), "verify", unit.toString()).redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(output.lines().filter(line -> line.contains(unit.getFileName().toString())))
                .as(output).isEmpty();
    }

    @Test
    void installOnMacOsWritesALaunchdAgentThatIsValidXml() throws Exception {
        Result result = run("Mac OS X", "install");

        assertThat(result.exitCode()).as(result.err()).isZero();
        Path plist = home.resolve("Library/LaunchAgents/com.opencodeworker.worker.plist");
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document document = factory.newDocumentBuilder().parse(plist.toFile());
        assertThat(document.getDocumentElement().getTagName()).isEqualTo("plist");
        String text = Files.readString(plist);
        assertThat(text).contains("<string>-XX:TieredStopAtLevel=1</string>", "<string>-XX:+UseSerialGC</string>",
                "<string>-XX:-UsePerfData</string>");
        assertThat(text).contains("<string>com.opencodeworker.worker</string>", "<string>--config</string>",
                "<string>" + config + "</string>", "<key>SuccessfulExit</key>", "<integer>60</integer>",
                "<string>" + home.resolve("Library/Logs/opencode-worker.log") + "</string>").doesNotContain(TOKEN);
        assertThat(managed).containsExactly(List.of("launchctl", "load", "-w", plist.toString()));
    }

    @Test
    void theInstalledLauncherStartsTheWorkerWithTheSameJvmOptionsAsTheService() throws IOException {
        String launcher = Files.readString(Path.of("src/main/dist/bin/opencode-worker"));

        String defaults = launcher.lines().filter(l -> l.startsWith("DEFAULT_JVM_OPTS=")).findFirst().orElseThrow();
        assertThat(defaults).isEqualTo("DEFAULT_JVM_OPTS=\"" + String.join(" ", DaemonJvmOptions.OPTIONS) + "\"");
        assertThat(launcher).contains("exec \"$java\" $DEFAULT_JVM_OPTS ${JAVA_OPTS:-} -jar ");
    }

    @Test
    void installWithoutAStoredTokenRefusesWithExitCode2() throws IOException {
        Files.delete(config);

        Result result = run("Linux", "install");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("Nothing to run as a service yet: " + config + " holds no machine token"
                + " and Convex URL; run opencode-worker once in a terminal first\n");
        assertThat(home.resolve(".config/systemd/user/opencode-worker.service")).doesNotExist();
        assertThat(managed).isEmpty();
    }

    @Test
    void noStartOnlyWritesTheFileAndUninstallStopsAndRemovesIt() {
        assertThat(run("Linux", "install", "--no-start").exitCode()).isZero();
        assertThat(managed).isEmpty();
        Path unit = home.resolve(".config/systemd/user/opencode-worker.service");
        assertThat(unit).exists();

        Result result = run("Linux", "uninstall");

        assertThat(result.exitCode()).isZero();
        assertThat(unit).doesNotExist();
        assertThat(managed).containsExactly(List.of("systemctl", "--user", "disable", "--now", "opencode-worker.service"),
                List.of("systemctl", "--user", "daemon-reload"));
    }

    @Test
    void aFailingServiceManagerIsExitCode1WithItsOutput() {
        ServiceCommand command = new ServiceCommand(Map.of("HOME", home.toString()), home, "Linux",
                cmd -> new ServiceCommand.ServiceManager.Result(1, "Failed to connect to bus: No medium found"));
        CommandLine commandLine = new CommandLine(command);
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err, true));

        int exitCode = commandLine.execute("install");

        assertThat(exitCode).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("systemctl --user daemon-reload failed (exit 1): Failed to connect to bus:"
                + " No medium found\n");
    }
}
