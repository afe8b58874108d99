package com.opencodeworker.infrastructure.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.domain.PermissionPolicy;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.StoredConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConfigResolverTest {
    private static final MachineToken FILE_TOKEN = MachineToken.parse("mch_file01:sec_file0001");
    private static final String FILE_URL = "https://file.convex.cloud";

    @TempDir
    static Path work;

    private Path fileRoot;

    @BeforeEach
    void createDirectories() throws IOException {
        for (String name : new String[] {"flag", "env", "dot", "file"}) {
            Files.createDirectories(work.resolve(name));
        }
        fileRoot = work.resolve("file").toRealPath();
        Files.createDirectories(work.resolve("bin"));
        for (String name : new String[] {"oc-flag", "oc-env", "oc-dot", "opencode"}) {
            executable(work.resolve("bin").resolve(name));
        }
    }

    private static void executable(Path file) throws IOException {
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }

    private StoredConfig stored() {
        return new StoredConfig(Optional.of(FILE_TOKEN), Optional.of(fileRoot.toString()), Optional.of(FILE_URL));
    }

    private static WorkerConfig resolve(Map<SettingKey, String> flags, Map<String, String> env,
                                        Map<String, String> dotEnv, StoredConfig stored) {
        return new ConfigResolver(flags, new EnvironmentSource(env, dotEnv), work).resolve(stored, false);
    }

    /** A kind of setting: the raw value given on each layer and what the resolved config shows for it. */
    record Layers(SettingKey key, String flag, String env, String dotEnv, String expectedFlag, String expectedEnv,
                  String expectedDotEnv, Optional<String> expectedFile, Optional<String> expectedDefault,
                  Function<WorkerConfig, String> shown) {
        @Override
        public String toString() {
            return key.name();
        }
    }

    static Stream<Layers> layers() {
        String real = realPath(work);
        return Stream.of(
                new Layers(SettingKey.TOKEN, "mch_flag01:sec_flag0001", " mch_env001:sec_env00001\n", "mch_dot001:sec_dot00001",
                        "mch_flag01:sec_flag0001", "mch_env001:sec_env00001", "mch_dot001:sec_dot00001",
                        Optional.of(FILE_TOKEN.reveal()), Optional.empty(), c -> c.token().reveal()),
                new Layers(SettingKey.CONVEX_URL, "https://flag.convex.cloud", "https://env.convex.cloud/", "http://127.0.0.1:3210",
                        "https://flag.convex.cloud", "https://env.convex.cloud", "http://127.0.0.1:3210",
                        Optional.of(FILE_URL), Optional.empty(), WorkerConfig::convexUrl),
                new Layers(SettingKey.ROOT_DIRECTORY, "flag", real + "/env", "./dot/../dot",
                        real + "/flag", real + "/env", real + "/dot",
                        Optional.of(real + "/file"), Optional.empty(), c -> c.rootDirectory().toString()),
                new Layers(SettingKey.CONFIG_PATH, "flag.json", "env/cfg.json", "dot.json",
                        work + "/flag.json", work + "/env/cfg.json", work + "/dot.json",
                        Optional.empty(), Optional.of(work + "/.worker-config.json"), c -> c.configPath().toString()),
                new Layers(SettingKey.IDLE_TIMEOUT, "1", "2", "3", "1", "2", "3",
                        Optional.empty(), Optional.of("300000"), c -> String.valueOf(c.idleTimeout().toMillis())),
                new Layers(SettingKey.SYNC_INTERVAL, "1", "2", "3", "1", "2", "3",
                        Optional.empty(), Optional.of("30000"), c -> String.valueOf(c.syncInterval().toMillis())),
                new Layers(SettingKey.SHUTDOWN_GRACE, "1", "2", "3", "1", "2", "3",
                        Optional.empty(), Optional.of("30000"), c -> String.valueOf(c.shutdownGrace().toMillis())),
                new Layers(SettingKey.MAX_SESSIONS, "1", "64", " 3 ", "1", "64", "3",
                        Optional.empty(), Optional.of("8"), c -> String.valueOf(c.maxSessions())),
                new Layers(SettingKey.PROCESS_MODE, "per-directory", "PER-SESSION", " per-directory ", "per-directory",
                        "per-session", "per-directory", Optional.empty(), Optional.of("per-session"),
                        c -> c.processMode().wireName()),
                new Layers(SettingKey.PERMISSION_POLICY, "default", "allow-all", "READ-ONLY", "default", "allow-all", "read-only",
                        Optional.empty(), Optional.of("default"), c -> c.permissionPolicy().wireName()),
                new Layers(SettingKey.OPENCODE_BIN, "bin/oc-flag", work + "/bin/oc-env", "./bin/oc-dot",
                        work + "/bin/oc-flag", work + "/bin/oc-env", work + "/bin/oc-dot",
                        Optional.empty(), Optional.of("<PATH>"), c -> c.opencodeBin().map(Path::toString).orElse("<PATH>")));
    }

    private static String realPath(Path path) {
        try {
            return path.toRealPath().toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @MethodSource("layers")
    void flagWinsOverEnvironmentDotEnvAndFile(Layers layers) {
        WorkerConfig config = resolve(Map.of(layers.key(), layers.flag()), Map.of(layers.key().variable(), layers.env()),
                Map.of(layers.key().variable(), layers.dotEnv()), stored());

        assertThat(layers.shown().apply(config)).isEqualTo(layers.expectedFlag());
    }

    @ParameterizedTest
    @MethodSource("layers")
    void environmentWinsOverDotEnvAndFile(Layers layers) {
        WorkerConfig config = resolve(Map.of(), Map.of(layers.key().variable(), layers.env()),
                Map.of(layers.key().variable(), layers.dotEnv()), stored());

        assertThat(layers.shown().apply(config)).isEqualTo(layers.expectedEnv());
    }

    @ParameterizedTest
    @MethodSource("layers")
    void dotEnvWinsOverFile(Layers layers) {
        WorkerConfig config = resolve(Map.of(), Map.of(), Map.of(layers.key().variable(), layers.dotEnv()), stored());

        assertThat(layers.shown().apply(config)).isEqualTo(layers.expectedDotEnv());
    }

    @ParameterizedTest
    @MethodSource("layers")
    void configFileOrDefaultAppliesWhenNothingElseSetsIt(Layers layers) {
        WorkerConfig config = resolve(Map.of(), Map.of(), Map.of(), stored());

        assertThat(layers.shown().apply(config))
                .isEqualTo(layers.expectedFile().or(layers::expectedDefault).orElseThrow());
    }

    @Test
    void rootDefaultsToTheWorkingDirectory() {
        StoredConfig noRoot = new StoredConfig(Optional.of(FILE_TOKEN), Optional.empty(), Optional.of(FILE_URL));

        assertThat(resolve(Map.of(), Map.of(), Map.of(), noRoot).rootDirectory()).isEqualTo(Path.of(realPath(work)));
    }

    @Test
    void rootWithTildeIsUnderHome() {
        WorkerConfig config = resolve(Map.of(SettingKey.ROOT_DIRECTORY, "~/env"), Map.of("HOME", work.toString()),
                Map.of(), stored());

        assertThat(config.rootDirectory()).isEqualTo(Path.of(realPath(work.resolve("env"))));
    }

    @Test
    void verboseIsPassedThrough() {
        WorkerConfig config = new ConfigResolver(Map.of(), new EnvironmentSource(Map.of(), Map.of()), work)
                .resolve(stored(), true);

        assertThat(config.verbose()).isTrue();
    }

    @Test
    void missingTokenSaysHowToPassOne() {
        StoredConfig noToken = new StoredConfig(Optional.empty(), Optional.empty(), Optional.of(FILE_URL));

        assertThatThrownBy(() -> resolve(Map.of(), Map.of(), Map.of(), noToken))
                .isInstanceOf(WorkerException.class)
                .hasMessage("No machine token: pass --token <machine_id>:<machine_secret>, set MACHINE_TOKEN,"
                        + " or run the worker once in a terminal to be asked for it");
    }

    @Test
    void missingConvexUrlSaysHowToPassOne() {
        StoredConfig noUrl = new StoredConfig(Optional.of(FILE_TOKEN), Optional.empty(), Optional.empty());

        assertThatThrownBy(() -> resolve(Map.of(), Map.of(), Map.of(), noUrl))
                .hasMessageStartingWith("No Convex URL: pass --convex-url");
    }

    @Test
    void invalidTokenNamesWhereItCameFromWithoutTheSecret() {
        assertThatThrownBy(() -> resolve(Map.of(), Map.of("MACHINE_TOKEN", "mch_abc123:sec_tooshrt"), Map.of(), stored()))
                .isInstanceOf(WorkerException.class)
                .hasMessageStartingWith("Invalid token format: expected <machine_id>:<machine_secret> (")
                .hasMessageEndingWith("; from MACHINE_TOKEN")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("tooshrt"))
                .satisfies(e -> assertThat(((WorkerException) e).exitCode()).isEqualTo(ExitCode.INVALID_INPUT));
    }

    @Test
    void invalidConvexUrlNamesWhereItCameFrom() {
        assertThatThrownBy(() -> resolve(Map.of(SettingKey.CONVEX_URL, "ws://x.convex.cloud"), Map.of(), Map.of(), stored()))
                .hasMessage("Invalid Convex URL \"ws://x.convex.cloud\": the scheme must be http or https, not ws;"
                        + " from --convex-url");
    }

    @Test
    void missingRootIsDirectoryNotFound() {
        assertThatThrownBy(() -> resolve(Map.of(SettingKey.ROOT_DIRECTORY, "nope"), Map.of(), Map.of(), stored()))
                .hasMessage("Directory not found: " + work.resolve("nope") + "; from --root");
    }

    @Test
    void rootThatIsAFileIsNotADirectory() throws IOException {
        Files.writeString(work.resolve("plain.txt"), "x");

        assertThatThrownBy(() -> resolve(Map.of(), Map.of("ROOT_DIRECTORY", "plain.txt"), Map.of(), stored()))
                .hasMessage("Not a directory: " + work.resolve("plain.txt") + "; from ROOT_DIRECTORY");
    }

    @Test
    void storedRootThatVanishedNamesTheConfigFile() {
        StoredConfig gone = new StoredConfig(Optional.of(FILE_TOKEN), Optional.of(work.resolve("gone").toString()),
                Optional.of(FILE_URL));

        assertThatThrownBy(() -> resolve(Map.of(), Map.of(), Map.of(), gone))
                .hasMessage("Directory not found: " + work.resolve("gone") + "; from the config file "
                        + work.resolve(".worker-config.json"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-5", "abc", "1.5", "", "9999999999999999"})
    void invalidDurationIsOneClearLine(String raw) {
        assertThatThrownBy(() -> resolve(Map.of(SettingKey.IDLE_TIMEOUT, raw), Map.of(), Map.of(), stored()))
                .isInstanceOf(WorkerException.class)
                .hasMessage("Invalid idle timeout \"" + raw + "\": expected a positive number of milliseconds;"
                        + " from --idle-timeout");
    }

    @Test
    void invalidDurationFromDotEnvSaysSo() {
        assertThatThrownBy(() -> resolve(Map.of(), Map.of(), Map.of("SHUTDOWN_GRACE", "soon"), stored()))
                .hasMessage("Invalid shutdown grace \"soon\": expected a positive number of milliseconds;"
                        + " from SHUTDOWN_GRACE in .env");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65", "-1", "eight", "99999999999"})
    void sessionLimitOutsideOneToSixtyFourIsRejected(String raw) {
        assertThatThrownBy(() -> resolve(Map.of(), Map.of("MAX_SESSIONS", raw), Map.of(), stored()))
                .hasMessage("Invalid max sessions \"" + raw + "\": expected a whole number from 1 to 64; from MAX_SESSIONS");
    }

    @Test
    void unknownProcessModeListsTheChoices() {
        assertThatThrownBy(() -> resolve(Map.of(), Map.of("PROCESS_MODE", "per-thread"), Map.of(), stored()))
                .hasMessage("Unknown process mode \"per-thread\": expected one of per-session, per-directory;"
                        + " from PROCESS_MODE");
    }

    @Test
    void unknownPermissionPolicyListsTheChoices() {
        assertThatThrownBy(() -> resolve(Map.of(SettingKey.PERMISSION_POLICY, "yolo"), Map.of(), Map.of(), stored()))
                .hasMessage("Unknown permission policy \"yolo\": expected one of default, read-only, allow-all;"
                        + " from --permission-policy");
    }

    @Test
    void openCodeBinaryPathMustBeAnExecutableFile() {
        assertThatThrownBy(() -> resolve(Map.of(SettingKey.OPENCODE_BIN, "./nothing/opencode"), Map.of(), Map.of(), stored()))
                .hasMessage("OpenCode not found: " + work.resolve("nothing/opencode") + " is not an executable file;"
                        + " from --opencode-bin");
    }

    @Test
    void bareOpenCodeNameIsLookedUpOnThePath() {
        WorkerConfig config = resolve(Map.of(SettingKey.OPENCODE_BIN, "opencode"),
                Map.of("PATH", work.resolve("file") + ":" + work.resolve("bin")), Map.of(), stored());

        assertThat(config.opencodeBin()).contains(work.resolve("bin/opencode"));
    }

    @Test
    void bareOpenCodeNameMissingFromThePathIsReported() {
        assertThatThrownBy(() -> resolve(Map.of(), Map.of("OPENCODE_BIN", "opencode", "PATH", work.resolve("file").toString()),
                Map.of(), stored()))
                .hasMessage("OpenCode not found: no opencode on the PATH; from OPENCODE_BIN");
    }

    @Test
    void executableOpenCodeBinaryPathIsResolved() throws IOException {
        Path binary = Files.createDirectories(work.resolve("tools")).resolve("opencode");
        executable(binary);

        WorkerConfig config = resolve(Map.of(), Map.of("OPENCODE_BIN", "tools/opencode"), Map.of(), stored());

        assertThat(config.opencodeBin()).contains(binary);
    }

    @Test
    void emptyFlagIsAnErrorNotAFallThrough() {
        assertThatThrownBy(() -> resolve(Map.of(SettingKey.OPENCODE_BIN, " "), Map.of(), Map.of(), stored()))
                .hasMessage("Invalid OpenCode binary \"\": it is empty; from --opencode-bin");
    }

    @Test
    void firstRunIsNeededWithoutTokenOrConvexUrl() {
        ConfigResolver resolver = new ConfigResolver(Map.of(), new EnvironmentSource(Map.of(), Map.of()), work);

        assertThat(resolver.needsFirstRun(StoredConfig.empty())).isTrue();
        assertThat(resolver.needsFirstRun(new StoredConfig(Optional.of(FILE_TOKEN), Optional.empty(), Optional.empty())))
                .isTrue();
        assertThat(resolver.needsFirstRun(stored())).isFalse();
    }

    @Test
    void rememberedReplacesTheTokenAndKeepsStoredRootAndUrl() {
        Map<SettingKey, String> flags = new HashMap<>();
        flags.put(SettingKey.TOKEN, "mch_flag01:sec_flag0001");
        flags.put(SettingKey.CONVEX_URL, "https://other.convex.cloud");
        flags.put(SettingKey.ROOT_DIRECTORY, "flag");
        WorkerConfig config = resolve(flags, Map.of(), Map.of(), stored());

        StoredConfig remembered = ConfigResolver.remembered(stored(), config);

        assertThat(remembered).isEqualTo(new StoredConfig(Optional.of(MachineToken.parse("mch_flag01:sec_flag0001")),
                Optional.of(fileRoot.toString()), Optional.of(FILE_URL)));
    }

    @Test
    void rememberedFillsInRootAndUrlWhenNoneWasStored() {
        StoredConfig onlyToken = new StoredConfig(Optional.of(FILE_TOKEN), Optional.empty(), Optional.empty());
        WorkerConfig config = resolve(Map.of(SettingKey.CONVEX_URL, "https://new.convex.cloud/"), Map.of(), Map.of(),
                onlyToken);

        StoredConfig remembered = ConfigResolver.remembered(onlyToken, config);

        assertThat(remembered).isEqualTo(new StoredConfig(Optional.of(FILE_TOKEN), Optional.of(realPath(work)),
                Optional.of("https://new.convex.cloud")));
    }

    @Test
    void defaultsMatchTheDocumentedValues() {
        assertThat(ConfigResolver.DEFAULT_IDLE_TIMEOUT).isEqualTo(Duration.ofMillis(300_000));
        assertThat(ConfigResolver.DEFAULT_SYNC_INTERVAL).isEqualTo(Duration.ofMillis(30_000));
        assertThat(ConfigResolver.DEFAULT_SHUTDOWN_GRACE).isEqualTo(Duration.ofMillis(30_000));
        assertThat(ConfigResolver.DEFAULT_MAX_SESSIONS).isEqualTo(8);
        assertThat(ConfigResolver.DEFAULT_PERMISSION_POLICY).isEqualTo(PermissionPolicy.DEFAULT);
    }
}
