package com.opencodeworker.infrastructure.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConfigLocationsTest {
    @TempDir
    Path work;

    @Test
    void onLinuxTheConfigLivesInXdgConfigHome() {
        ConfigLocations locations = ConfigLocations.of(Optional.of("/home/ann"), Optional.of("/xdg"), "Linux", work);

        assertThat(locations.defaultConfigFile()).isEqualTo(Path.of("/xdg/opencode-worker/config.json"));
    }

    @Test
    void withoutXdgConfigHomeItIsDotConfigInTheHomeDirectory() {
        assertThat(ConfigLocations.of(Optional.of("/home/ann"), Optional.empty(), "Linux", work).defaultConfigFile())
                .isEqualTo(Path.of("/home/ann/.config/opencode-worker/config.json"));
        assertThat(ConfigLocations.of(Optional.of("/home/ann"), Optional.of("relative"), "Linux", work)
                .defaultConfigFile()).isEqualTo(Path.of("/home/ann/.config/opencode-worker/config.json"));
    }

    @Test
    void onMacOsItIsApplicationSupport() {
        assertThat(ConfigLocations.of(Optional.of("/Users/ann"), Optional.of("/xdg"), "Mac OS X", work)
                .defaultConfigFile())
                .isEqualTo(Path.of("/Users/ann/Library/Application Support/opencode-worker/config.json"));
    }

    @Test
    void anOldConfigFileInTheWorkingDirectoryIsStillRead() throws IOException {
        Files.writeString(work.resolve(".worker-config.json"), "{}");

        assertThat(ConfigLocations.of(Optional.of("/home/ann"), Optional.empty(), "Linux", work).defaultConfigFile())
                .isEqualTo(work.resolve(".worker-config.json"));
    }

    @Test
    void withoutAHomeDirectoryItIsTheOldPlace() {
        assertThat(ConfigLocations.of(Optional.empty(), Optional.empty(), "Linux", work).defaultConfigFile())
                .isEqualTo(work.resolve(".worker-config.json"));
    }

    @Test
    void theDotEnvOfTheConfigDirectoryIsReadAndTheWorkingDirectorysWins() throws IOException {
        Path home = Files.createDirectories(work.resolve("home"));
        Path cwd = Files.createDirectories(work.resolve("cwd"));
        Path configDir = Files.createDirectories(home.resolve(".config/opencode-worker"));
        Files.writeString(configDir.resolve(".env"), "CONVEX_URL=https://user.convex.cloud\nMAX_SESSIONS=3\n");
        Files.writeString(cwd.resolve(".env"), "MAX_SESSIONS=5\n");

        EnvironmentSource source = EnvironmentSource.load(Map.of("HOME", home.toString()), cwd);

        assertThat(source.lookup("CONVEX_URL")).contains(new Setting("https://user.convex.cloud",
                "CONVEX_URL in " + configDir.resolve(".env")));
        assertThat(source.lookup("MAX_SESSIONS")).contains(new Setting("5", "MAX_SESSIONS in .env"));
    }
}
