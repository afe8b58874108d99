package com.opencodeworker.presentation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FirstRunTest {
    private static final String TOKEN = "mch_abc123:sec_xyz789AB";
    private static final String URL = "https://happy-otter-123.convex.cloud";
    private static final String TOKEN_PROMPT = "Machine token (<machine_id>:<machine_secret>, from the web app): ";

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

    private static String answers(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    @Test
    void firstStartAsksForTokenRootAndConvexUrlAndStoresThem() throws IOException {
        CommandHarness.Result result = harness.runInTerminal(answers(TOKEN, "", URL + "/"));

        assertThat(result.exitCode()).isZero();
        assertThat(result.terminal())
                .contains(TOKEN_PROMPT)
                .contains("Root directory [" + work + "]: ")
                .contains("Convex URL (e.g. https://happy-otter-123.convex.cloud): ")
                .contains("Saved to " + configFile())
                .doesNotContain("xyz789AB");
        assertThat(result.streamTerminal().secretPrompts()).containsExactly(TOKEN_PROMPT);
        JsonNode saved = new ObjectMapper().readTree(configFile().toFile());
        assertThat(saved.get("token").asText()).isEqualTo(TOKEN);
        assertThat(saved.get("rootDirectory").asText()).isEqualTo(work.toRealPath().toString());
        assertThat(saved.get("convexUrl").asText()).isEqualTo(URL);
        assertThat(harness.runs.get(0).token().reveal()).isEqualTo(TOKEN);
    }

    @Test
    void storedFileIsReadableByTheOwnerOnly() throws IOException {
        harness.runInTerminal(answers(TOKEN, "", URL));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(configFile()))).isEqualTo("rw-------");
    }

    @Test
    void secondStartUsesTheStoredSettingsWithoutAsking() {
        harness.runInTerminal(answers(TOKEN, "", URL));

        CommandHarness.Result second = harness.runInTerminal("");

        assertThat(second.exitCode()).isZero();
        assertThat(second.terminal()).isEmpty();
        assertThat(harness.runs).hasSize(2);
        assertThat(harness.runs.get(1)).isEqualTo(harness.runs.get(0));
    }

    @Test
    void badTokenIsExplainedAndAskedAgain() {
        CommandHarness.Result result = harness.runInTerminal(answers("mch_abc123", TOKEN, "", URL));

        assertThat(result.exitCode()).isZero();
        assertThat(result.terminal())
                .contains("Invalid token format: expected <machine_id>:<machine_secret> (it has no ':' between machine id"
                        + " and secret)");
        assertThat(result.streamTerminal().secretPrompts()).hasSize(2);
        assertThat(harness.runs.get(0).token().reveal()).isEqualTo(TOKEN);
    }

    @Test
    void badDirectoryIsExplainedAndAskedAgain() throws IOException {
        Path projects = Files.createDirectory(work.resolve("projects"));

        CommandHarness.Result result = harness.runInTerminal(answers(TOKEN, "missing", "projects", URL));

        assertThat(result.exitCode()).isZero();
        assertThat(result.terminal()).contains("Directory not found: " + work.resolve("missing"));
        assertThat(harness.runs.get(0).rootDirectory()).isEqualTo(projects.toRealPath());
    }

    @Test
    void badConvexUrlIsExplainedAndAskedAgain() {
        CommandHarness.Result result = harness.runInTerminal(answers(TOKEN, "", "ws://x.convex.cloud", URL));

        assertThat(result.exitCode()).isZero();
        assertThat(result.terminal()).contains("Invalid Convex URL \"ws://x.convex.cloud\": the scheme must be http or https");
        assertThat(harness.runs.get(0).convexUrl()).isEqualTo(URL);
    }

    @Test
    void onlyWhatIsUnknownIsAsked() {
        CommandHarness.Result result = harness.runInTerminal(answers(URL), "--token", TOKEN, "--root", ".");

        assertThat(result.exitCode()).isZero();
        assertThat(result.terminal()).doesNotContain("Machine token").doesNotContain("Root directory")
                .contains("Convex URL");
        assertThat(result.streamTerminal().secretPrompts()).isEmpty();
    }

    @Test
    void endOfInputIsExitTwo() {
        CommandHarness.Result result = harness.runInTerminal("");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("No machine token entered (end of input)" + System.lineSeparator());
        assertThat(configFile()).doesNotExist();
    }

    @Test
    void tooManyBadAnswersGiveUpWithTheLastReason() {
        CommandHarness.Result result = harness.runInTerminal(answers("a", "b", "c", "d", "e", TOKEN));

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("Invalid token format").contains("(gave up after 5 tries)");
        assertThat(harness.runs).isEmpty();
    }

    @Test
    void dryRunAsksButStoresNothing() {
        CommandHarness.Result result = harness.runInTerminal(answers(TOKEN, "", URL), "--dry-run");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Nothing was started or stored.");
        assertThat(configFile()).doesNotExist();
    }
}
