package com.opencodeworker.presentation;

import static org.assertj.core.api.Assertions.assertThat;

import com.opencodeworker.domain.port.Clock;
import com.opencodeworker.testing.convex.FakeBackend;
import com.opencodeworker.testing.convex.FakeConvexServer;
import com.opencodeworker.testing.model.FakeModelServer;
import com.opencodeworker.testing.worker.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input at start, table-driven: each case ends with the documented exit code and one clear
 * line on stderr, never a stack trace, never the secret, and a stored config file is never changed
 * by a failed start. The worker runs for real (real wiring, fake Convex over real sockets).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputTest {
    private static final String SECRET = "sec_s3cretS3cret";
    private static FakeConvexServer convex;
    private static FakeBackend backend;
    private static String token;

    @TempDir
    Path work;
    private CommandHarness harness;

    @BeforeAll
    static void startConvex() {
        convex = FakeConvexServer.start();
        backend = new FakeBackend(Clock.system());
        backend.installOn(convex);
        String[] created = new String[1];
        convex.update(() -> created[0] = backend.createMachine("Bad input"));
        token = created[0];
    }

    @AfterAll
    static void stopConvex() {
        convex.close();
    }

    @BeforeEach
    void setUp() throws IOException {
        harness = new CommandHarness(work);
        harness.runner = new WorkerWiring(FakeModelServer.isolatedEnv(Files.createDirectories(work.resolve("home"))),
                o -> o, o -> o, false);
        Files.createDirectories(work.resolve("root"));
    }

    /** What a case prepares in the working directory before the start. */
    @FunctionalInterface
    interface Setup {
        void prepare(Path work) throws IOException;
    }

    record Case(String name, List<String> args, Map<String, String> env, Setup setup, int exitCode, String says) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case startCase(String name, int exitCode, String says, String... args) {
        return new Case(name, List.of(args), Map.of(), w -> { }, exitCode, says);
    }

    static Stream<Arguments> cases() {
        String good = "{token}";
        List<Case> cases = new ArrayList<>(List.of(
                startCase("token without a colon", 2, "Invalid token format", "--token", "mch_abc123sec_x1234567"),
                startCase("token with two colons", 2, "Invalid token format", "--token", "mch_abc123:sec_x1234567:x"),
                startCase("token with a wrong machine prefix", 2, "Invalid token format", "--token", "mac_abc123:" + SECRET),
                startCase("token with a wrong secret prefix", 2, "Invalid token format", "--token", "mch_abc123:key_x1234567"),
                startCase("token with an empty secret", 2, "Invalid token format", "--token", "mch_abc123:"),
                startCase("token with an empty machine id", 2, "Invalid token format", "--token", ":" + SECRET),
                startCase("token with a secret too short", 2, "Invalid token format", "--token", "mch_abc123:sec_short"),
                startCase("token with unicode", 2, "Invalid token format", "--token", "mch_abc123:sec_s3crét12345"),
                startCase("token of 10 KB", 2, "Invalid token format", "--token", "mch_abc123:sec_" + "x".repeat(10_240)),
                startCase("token with a space inside", 2, "Invalid token format", "--token", "mch_abc123: " + SECRET),
                startCase("unknown machine", 3, "Machine token rejected by {url}", "--token", "mch_nosuchmachine:" + SECRET),
                startCase("wrong secret", 3, "Machine token rejected by {url}", "--token", "{machine}:" + SECRET),
                startCase("Convex URL with another scheme", 2, "Invalid Convex URL", "--token", good, "--convex-url", "ftp://x.convex.cloud"),
                startCase("Convex URL without a scheme", 2, "Invalid Convex URL", "--token", good, "--convex-url", "x.convex.cloud"),
                startCase("Convex URL given as a WebSocket URL", 2, "Invalid Convex URL", "--token", good, "--convex-url", "wss://x.convex.cloud"),
                startCase("Convex URL with a space", 2, "Invalid Convex URL", "--token", good, "--convex-url", "https://x .convex.cloud"),
                startCase("missing root directory", 2, "Directory not found", "--token", good, "--root", "{work}/nowhere"),
                startCase("root directory that is a file", 2, "Not a directory", "--token", good, "--root", "{work}/a-file"),
                startCase("negative idle timeout", 2, "idle", "--token", good, "--idle-timeout", "-5"),
                startCase("idle timeout that is not a number", 2, "idle", "--token", good, "--idle-timeout", "5m"),
                startCase("zero sessions", 2, "sessions", "--token", good, "--max-sessions", "0"),
                startCase("unknown permission policy", 2, "permission policy", "--token", good, "--permission-policy", "yolo"),
                startCase("unknown option", 2, "--nope", "--token", good, "--nope"),
                startCase("missing OpenCode binary", 2, "OpenCode not found", "--token", good, "--opencode-bin", "{work}/no-opencode"),
                startCase("OpenCode binary that is not executable", 2, "OpenCode", "--token", good, "--opencode-bin", "{work}/not-executable"),
                startCase("OpenCode binary that exits at once", 2, "OpenCode", "--token", good, "--opencode-bin", "{work}/exits-at-once")));
        cases.add(new Case("token by environment with a wrong secret", List.of(), Map.of("MACHINE_TOKEN", "{machine}:" + SECRET),
                w -> { }, 3, "Machine token rejected"));
        cases.add(new Case("corrupt config file", List.of("--token", good, "--config", "{work}/corrupt.json"), Map.of(),
                w -> Files.writeString(w.resolve("corrupt.json"), "{\"token\": \"mch_abc123:sec_abcdefgh\", oops"), 2,
                "Cannot read config file"));
        cases.add(new Case("config file in a directory that cannot be created", List.of("--token", good, "--config",
                "{work}/a-file/config.json"), Map.of(), w -> { }, 2, "Cannot write config file"));
        return cases.stream().map(Arguments::of);
    }

    private String fill(String value) {
        return value.replace("{token}", token).replace("{machine}", token.substring(0, token.indexOf(':')))
                .replace("{url}", convex.url()).replace("{work}", work.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputEndsWithOneClearLineAndItsExitCode(Case bad) throws IOException {
        Files.writeString(work.resolve("a-file"), "not a directory");
        Files.writeString(work.resolve("not-executable"), "#!/bin/sh\necho 1.0\n");
        Path exits = Files.writeString(work.resolve("exits-at-once"), "#!/bin/sh\necho 'cannot start' >&2\nexit 1\n");
        Files.setPosixFilePermissions(exits, PosixFilePermissions.fromString("rwx------"));
        bad.setup().prepare(work);
        bad.env().forEach((k, v) -> harness.environment.put(k, fill(v)));
        List<String> args = new ArrayList<>();
        if (!bad.args().contains("--convex-url")) {
            args.addAll(List.of("--convex-url", convex.url()));
        }
        if (!bad.args().contains("--root")) {
            args.addAll(List.of("--root", work.resolve("root").toString()));
        }
        if (!bad.args().contains("--opencode-bin")) {
            args.addAll(List.of("--opencode-bin", Deployment.openCodeBinary().toString()));
        }
        if (!bad.args().contains("--config")) {
            args.addAll(List.of("--config", work.resolve("config.json").toString()));
        }
        bad.args().forEach(a -> args.add(fill(a)));
        Map<Path, byte[]> before = snapshot();

        CommandHarness.Result result = harness.run(args.toArray(String[]::new));

        assertThat(result.exitCode()).as("exit code; stderr: %s", result.err()).isEqualTo(bad.exitCode());
        assertThat(result.err()).contains(fill(bad.says()));
        assertThat(result.err().strip().lines()).as("one line: %s", result.err()).hasSizeLessThanOrEqualTo(2);
        assertThat(result.err()).doesNotContain("\tat ", "Exception", SECRET, token.substring(token.indexOf(':')));
        assertThat(result.err().length()).isLessThan(1000);
        for (Map.Entry<Path, byte[]> file : before.entrySet()) {
            assertThat(Files.readAllBytes(file.getKey())).as("%s unchanged", file.getKey()).isEqualTo(file.getValue());
        }
    }

    private Map<Path, byte[]> snapshot() throws IOException {
        Map<Path, byte[]> files = new HashMap<>();
        for (String name : List.of("corrupt.json", "config.json")) {
            Path file = work.resolve(name);
            if (Files.exists(file)) {
                files.put(file, Files.readAllBytes(file));
            }
        }
        return files;
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
