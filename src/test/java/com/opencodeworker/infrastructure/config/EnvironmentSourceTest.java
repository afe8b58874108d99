package com.opencodeworker.infrastructure.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class EnvironmentSourceTest {
    @TempDir
    Path temp;

    @Test
    void realEnvironmentWinsOverDotEnv() {
        EnvironmentSource source = new EnvironmentSource(Map.of("A", "env"), Map.of("A", "dotenv"));

        assertThat(source.lookup("A")).contains(new Setting("env", "A"));
    }

    @Test
    void dotEnvFillsInWhatTheEnvironmentLacks() {
        EnvironmentSource source = new EnvironmentSource(Map.of(), Map.of("A", "dotenv"));

        assertThat(source.lookup("A")).contains(new Setting("dotenv", "A in .env"));
    }

    @Test
    void blankValueCountsAsUnset() {
        EnvironmentSource source = new EnvironmentSource(Map.of("A", " "), Map.of("A", "dotenv", "B", ""));

        assertThat(source.lookup("A")).contains(new Setting("dotenv", "A in .env"));
        assertThat(source.lookup("B")).isEmpty();
    }

    @Test
    void loadsDotEnvFromTheWorkingDirectory() throws IOException {
        Files.writeString(temp.resolve(".env"), "export A=from-file\n");

        assertThat(EnvironmentSource.load(Map.of(), temp).lookup("A")).contains(new Setting("from-file", "A in .env"));
    }

    @Test
    void searchPathListsTheDirectoriesOfPath() {
        EnvironmentSource source = new EnvironmentSource(Map.of("PATH", "/usr/bin::/bin"), Map.of());

        assertThat(source.searchPath()).containsExactly("/usr/bin", "/bin");
        assertThat(new EnvironmentSource(Map.of(), Map.of()).searchPath()).isEmpty();
    }

    @Test
    void homeComesFromTheEnvironment() {
        assertThat(new EnvironmentSource(Map.of("HOME", "/home/dev"), Map.of()).home()).contains("/home/dev");
        assertThat(new EnvironmentSource(Map.of(), Map.of("HOME", "/x")).home()).isEmpty();
    }
}
