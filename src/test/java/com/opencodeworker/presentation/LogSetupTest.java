package com.opencodeworker.presentation;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The worker's logging as the command line sets it up; the test JVM's own logging is restored after each test. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogSetupTest {
    private static final Logger LOG = LoggerFactory.getLogger(LogSetupTest.class);

    @TempDir
    Path dir;

    @AfterEach
    void restoreTheTestsLogging() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    @Test
    void theCommandLineOptionsAreRead() {
        assertThat(LogSetup.parse(List.of("--verbose", "--log-file", "w.log", "--log-format=json")))
                .isEqualTo(new LogSetup.Options(true, Optional.of(Path.of("w.log").toAbsolutePath()), true));
        assertThat(LogSetup.parse(List.of("--token", "x"))).isEqualTo(new LogSetup.Options(false, Optional.empty(), false));
    }

    @Test
    void aTextLineHasTheDateTheLevelAndTheMessageButNoClassName() throws IOException {
        Path file = dir.resolve("worker.log");
        LogSetup.apply(new LogSetup.Options(false, Optional.of(file), false));

        LOG.info("Waiting for work");
        LOG.debug("not at INFO");

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} INFO  Waiting for work");
    }

    @Test
    void verboseLinesNameTheThreadAndClass() throws IOException {
        Path file = dir.resolve("worker.log");
        LogSetup.apply(new LogSetup.Options(true, Optional.of(file), false));

        LOG.debug("details");

        assertThat(Files.readString(file)).matches("(?s)\\d{4}-\\d{2}-\\d{2} .* DEBUG \\[.+\\] LogSetupTest - details\\n");
    }

    @Test
    void jsonLinesAreOneObjectEach() throws IOException {
        Path file = dir.resolve("worker.json");
        LogSetup.apply(new LogSetup.Options(false, Optional.of(file), true));

        LOG.info("Connected as machine {}", "Laptop");

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(1);
        JsonNode json = new ObjectMapper().readTree(lines.get(0));
        assertThat(json.get("level").asText()).isEqualTo("INFO");
        assertThat(json.get("formattedMessage").asText()).isEqualTo("Connected as machine Laptop");
        assertThat(json.get("timestamp").asLong()).isPositive();
    }

    @Test
    void theLogFileIsRotatedBySize() {
        Path file = dir.resolve("worker.log");
        LogSetup.apply(new LogSetup.Options(false, Optional.of(file), false), FileSize.valueOf("10KB"),
                Duration.buildByMilliseconds(0));
        String line = "x".repeat(1000);

        for (int i = 0; i < 100; i++) {
            LOG.info(line);
        }

        assertThat(dir.resolve("worker.log.1")).exists();
        assertThat(dir.resolve("worker.log.5")).exists();
        assertThat(dir.resolve("worker.log.6")).doesNotExist();
        assertThat(file).exists();
    }
}
