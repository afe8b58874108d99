package com.opencodeworker.presentation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.infrastructure.config.ConfigResolver;
import com.opencodeworker.infrastructure.config.SettingKey;
import com.opencodeworker.infrastructure.config.WorkerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerCommandTest {
    private static final String TOKEN = "mch_abc123:sec_xyz789AB";
    private static final String URL = "https://happy-otter-123.convex.cloud";

    @TempDir
    Path work;

    private CommandHarness harness;

    @BeforeEach
    void createHarness() {
        harness = new CommandHarness(work);
    }

    private Path configFile() {
        return work.resolve(".worker-config.json");
    }

    @Test
    void helpListsEveryOptionWithItsVariableAndTheExitCodes() {
        CommandHarness.Result result = harness.run("--help");

        assertThat(result.exitCode()).isZero();
        for (SettingKey key : SettingKey.values()) {
            assertThat(result.out()).contains(key.flag()).contains(key.variable());
        }
        assertThat(result.out())
                .contains("--verbose", "--dry-run", "--version", "--help")
                .contains("default: 300000", "default: 30000", "default: 8", "default: default")
                .contains("Exit codes:", "0  normal stop", "1  unexpected failure", "2  invalid input or configuration",
                        "3  authentication rejected", "4  superseded by another worker with the same token");
        assertThat(harness.runs).isEmpty();
    }

    @Test
    void versionPrintsTheBuildVersion() {
        CommandHarness.Result result = harness.run("--version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out().strip()).matches("opencode-worker \\d+\\.\\d+\\.\\d+.*");
        assertThat(WorkerVersion.current()).doesNotContain("${");
    }

    @Test
    void dryRunShowsTheResolvedSettingsWithTheSecretRedacted() throws IOException {
        CommandHarness.Result result = harness.run("--dry-run", "--token", TOKEN, "--convex-url", URL + "/",
                "--max-sessions", "3", "--permission-policy", "read-only");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out())
                .contains("would connect to Convex " + URL + " as mch_abc123:sec_***")
                .contains(work.toRealPath().toString())
                .contains(configFile().toString())
                .contains("max sessions:      3", "permission policy: read-only", "idle timeout:      300000 ms")
                .doesNotContain("xyz789AB");
        assertThat(result.err()).isEmpty();
        assertThat(harness.runs).isEmpty();
        assertThat(configFile()).doesNotExist();
    }

    @Test
    void runnerGetsTheResolvedConfigAndItsExitCodeIsReturned() throws IOException {
        harness.runner = config -> {
            harness.runs.add(config);
            return ExitCode.SUPERSEDED;
        };

        CommandHarness.Result result = harness.run("--token", TOKEN, "--convex-url", URL, "--verbose");

        assertThat(result.exitCode()).isEqualTo(4);
        WorkerConfig config = harness.runs.get(0);
        assertThat(config.token().reveal()).isEqualTo(TOKEN);
        assertThat(config.convexUrl()).isEqualTo(URL);
        assertThat(config.rootDirectory()).isEqualTo(work.toRealPath());
        assertThat(config.verbose()).isTrue();
    }

    @Test
    void runnerFailureIsOneLineWithItsExitCode() {
        harness.runner = config -> {
            throw new WorkerException(ExitCode.AUTH_REJECTED, "The backend rejected machine token mch_abc123:sec_***");
        };

        CommandHarness.Result result = harness.run("--token", TOKEN, "--convex-url", URL);

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.err()).isEqualTo("The backend rejected machine token mch_abc123:sec_***" + System.lineSeparator());
    }

    @Test
    void unexpectedFailureIsExitOneWithAHintToVerbose() {
        harness.runner = config -> {
            throw new IllegalStateException("boom");
        };

        CommandHarness.Result result = harness.run("--token", TOKEN, "--convex-url", URL);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("Unexpected failure: boom (run with --verbose for details)" + System.lineSeparator());
    }

    @Test
    void verboseShowsTheStackTrace() {
        harness.runner = config -> {
            throw new IllegalStateException("boom");
        };

        CommandHarness.Result result = harness.run("--token", TOKEN, "--convex-url", URL, "--verbose");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("Unexpected failure: boom" + System.lineSeparator())
                .contains("java.lang.IllegalStateException: boom", "\tat ");
    }

    @Test
    void badTokenIsExitTwoWithOneLineAndNoStackTrace() {
        CommandHarness.Result result = harness.run("--token", "bad", "--convex-url", "https://x.convex.cloud", "--root", ".");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("Invalid token format: expected <machine_id>:<machine_secret> (")
                .doesNotContain("\tat ");
        assertThat(result.err().lines()).hasSize(1);
        assertThat(harness.runs).isEmpty();
    }

    @Test
    void withoutTerminalAndWithoutTokenExitTwoSaysHowToPassOne() {
        CommandHarness.Result result = harness.run("--convex-url", URL);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo(ConfigResolver.NO_TOKEN + System.lineSeparator());
        assertThat(result.terminal()).isEmpty();
    }

    @Test
    void tokenByFlagIsStoredAndOtherStoredFieldsAreKept() throws IOException {
        Path root = Files.createDirectory(work.resolve("root")).toRealPath();
        Files.writeString(configFile(), "{\"token\":\"mch_abc123:sec_oldsecret\",\"rootDirectory\":\"" + root
                + "\",\"convexUrl\":\"" + URL + "\",\"team\":\"blue\"}");

        CommandHarness.Result result = harness.run("--token", TOKEN, "--convex-url", "https://other.convex.cloud");

        assertThat(result.exitCode()).isZero();
        JsonNode saved = new ObjectMapper().readTree(configFile().toFile());
        assertThat(saved.get("token").asText()).isEqualTo(TOKEN);
        assertThat(saved.get("rootDirectory").asText()).isEqualTo(root.toString());
        assertThat(saved.get("convexUrl").asText()).isEqualTo(URL);
        assertThat(saved.get("team").asText()).isEqualTo("blue");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(configFile()))).isEqualTo("rw-------");
        assertThat(harness.runs.get(0).convexUrl()).isEqualTo("https://other.convex.cloud");
        assertThat(harness.runs.get(0).rootDirectory()).isEqualTo(root);
    }

    @Test
    void aNewTokenReplacesTheStoredOneOnlyOnceTheBackendAcceptedIt() throws IOException {
        Path root = Files.createDirectory(work.resolve("root")).toRealPath();
        String stored = "{\"token\":\"mch_abc123:sec_oldsecret\",\"rootDirectory\":\"" + root
                + "\",\"convexUrl\":\"" + URL + "\"}";
        Files.writeString(configFile(), stored);
        harness.runner = new WorkerRunner() {
            @Override
            public ExitCode run(WorkerConfig config) {
                throw new AssertionError("the command passes the acceptance callback");
            }

            @Override
            public ExitCode run(WorkerConfig config, Runnable onAccepted) {
                throw new WorkerException(ExitCode.AUTH_REJECTED, "Machine token rejected by " + URL);
            }
        };

        CommandHarness.Result rejected = harness.run("--token", TOKEN);

        assertThat(rejected.exitCode()).isEqualTo(3);
        assertThat(Files.readString(configFile())).isEqualTo(stored);

        harness.runner = new WorkerRunner() {
            @Override
            public ExitCode run(WorkerConfig config) {
                throw new AssertionError("the command passes the acceptance callback");
            }

            @Override
            public ExitCode run(WorkerConfig config, Runnable onAccepted) {
                onAccepted.run();
                return ExitCode.OK;
            }
        };
        assertThat(harness.run("--token", TOKEN).exitCode()).isZero();
        assertThat(new ObjectMapper().readTree(configFile().toFile()).get("token").asText()).isEqualTo(TOKEN);
    }

    @Test
    void tokenFromTheEnvironmentIsStoredSoTheNextStartNeedsNone() {
        harness.environment.put("MACHINE_TOKEN", TOKEN);
        harness.environment.put("CONVEX_URL", URL);
        assertThat(harness.run().exitCode()).isZero();

        harness.environment.clear();
        CommandHarness.Result second = harness.run();

        assertThat(second.exitCode()).isZero();
        assertThat(harness.runs).hasSize(2);
        assertThat(harness.runs.get(1).token().reveal()).isEqualTo(TOKEN);
        assertThat(harness.runs.get(1).convexUrl()).isEqualTo(URL);
    }

    @Test
    void dotEnvInTheWorkingDirectoryIsRead() throws IOException {
        Files.writeString(work.resolve(".env"), "# worker\nexport MACHINE_TOKEN=\"" + TOKEN + "\"\nCONVEX_URL=" + URL + "\n");

        CommandHarness.Result result = harness.run("--dry-run");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("mch_abc123:sec_***", URL);
    }

    @Test
    void malformedDotEnvIsExitTwo() throws IOException {
        Files.writeString(work.resolve(".env"), "MACHINE_TOKEN\n");

        CommandHarness.Result result = harness.run("--token", TOKEN, "--convex-url", URL);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("Cannot read " + work.resolve(".env") + ": line 1 is not KEY=value"
                + System.lineSeparator());
    }

    @Test
    void corruptConfigFileIsExitTwoWithItsPathAndStaysByteForByte() throws IOException {
        byte[] corrupt = "{\"token\": \"mch_abc123:sec_xyz789AB\"".getBytes(StandardCharsets.UTF_8);
        Files.write(configFile(), corrupt);

        CommandHarness.Result result = harness.run("--token", TOKEN, "--convex-url", URL);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("Cannot read config file " + configFile() + ": not valid JSON")
                .doesNotContain("xyz789AB");
        assertThat(result.err().lines()).hasSize(1);
        assertThat(Files.readAllBytes(configFile())).isEqualTo(corrupt);
        assertThat(harness.runs).isEmpty();
    }

    @Test
    void unwritableConfigLocationIsExitTwoNamingThePath() throws IOException {
        Files.writeString(work.resolve("a-file"), "x");

        CommandHarness.Result result = harness.run("--token", TOKEN, "--convex-url", URL, "--config", "a-file/cfg.json");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("Cannot write config file " + work.resolve("a-file/cfg.json") + ": ");
        assertThat(harness.runs).isEmpty();
    }

    @Test
    void unknownOptionIsExitTwoWithAHintToHelp() {
        CommandHarness.Result result = harness.run("--bogus");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err().lines()).containsExactly("Unknown option: '--bogus'", "Try --help for the options.");
    }

    @Test
    void optionWithoutItsValueIsExitTwo() {
        CommandHarness.Result result = harness.run("--token");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--token").endsWith("Try --help for the options." + System.lineSeparator());
    }

    @Test
    void secretInAStrayArgumentIsRedacted() {
        CommandHarness.Result result = harness.run(TOKEN);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("mch_abc123:sec_***").doesNotContain("xyz789AB");
    }

    @Test
    void invalidSettingFromTheEnvironmentIsExitTwoNamingTheVariable() {
        harness.environment.put("IDLE_TIMEOUT", "-1");

        CommandHarness.Result result = harness.run("--token", TOKEN, "--convex-url", URL);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("Invalid idle timeout \"-1\": expected a positive number of milliseconds;"
                + " from IDLE_TIMEOUT" + System.lineSeparator());
    }
}
