package com.opencodeworker.infrastructure.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.WorkerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DotEnvTest {
    @TempDir
    Path temp;

    @Test
    void readsPlainAssignments() {
        assertThat(DotEnv.parse("A=1\nB=two words\n")).containsExactly(Map.entry("A", "1"), Map.entry("B", "two words"));
    }

    @Test
    void acceptsExportPrefix() {
        assertThat(DotEnv.parse("export MACHINE_TOKEN=mch_abc:sec_12345678")).containsEntry("MACHINE_TOKEN", "mch_abc:sec_12345678");
    }

    @Test
    void skipsCommentsAndBlankLines() {
        assertThat(DotEnv.parse("# a comment\n\n   \n  # indented comment\nA=1\n")).containsOnlyKeys("A");
    }

    @Test
    void stripsSpacesAroundKeyAndValue() {
        assertThat(DotEnv.parse("  A  =  1  ")).containsEntry("A", "1");
    }

    @Test
    void doubleQuotesKeepSpacesAndHashesAndUnderstandEscapes() {
        assertThat(DotEnv.parse("A=\"  x # y \\\"q\\\" \\\\ \\n\" # comment")).containsEntry("A", "  x # y \"q\" \\ \n");
    }

    @Test
    void singleQuotesAreLiteral() {
        assertThat(DotEnv.parse("A='a \\n # b'")).containsEntry("A", "a \\n # b");
    }

    @Test
    void inlineCommentNeedsWhitespaceBeforeTheHash() {
        assertThat(DotEnv.parse("A=1 # one\nB=a#b")).containsEntry("A", "1").containsEntry("B", "a#b");
    }

    @Test
    void emptyValueIsEmpty() {
        assertThat(DotEnv.parse("A=\nB=\"\"")).containsEntry("A", "").containsEntry("B", "");
    }

    @Test
    void valueMayContainEqualsSigns() {
        assertThat(DotEnv.parse("URL=https://x.convex.cloud/?a=b")).containsEntry("URL", "https://x.convex.cloud/?a=b");
    }

    @Test
    void laterLineWins() {
        assertThat(DotEnv.parse("A=1\r\nA=2\r\n")).containsEntry("A", "2");
    }

    @Test
    void lineWithoutEqualsIsRejectedByNumberWithoutItsContent() {
        assertThatThrownBy(() -> DotEnv.parse("A=1\nmch_abc:sec_12345678\n"))
                .hasMessage("line 2 is not KEY=value");
    }

    @Test
    void invalidNameIsRejected() {
        assertThatThrownBy(() -> DotEnv.parse("1A=x")).hasMessage("line 1 has an invalid variable name");
    }

    @Test
    void unterminatedQuotesAreRejected() {
        assertThatThrownBy(() -> DotEnv.parse("A=\"abc")).hasMessage("line 1 has an unterminated quote");
        assertThatThrownBy(() -> DotEnv.parse("A='abc")).hasMessage("line 1 has an unterminated quote");
    }

    @Test
    void textAfterClosingQuoteIsRejected() {
        assertThatThrownBy(() -> DotEnv.parse("A=\"abc\" def")).hasMessage("line 1 has text after the closing quote");
    }

    @Test
    void missingFileIsEmpty() {
        assertThat(DotEnv.load(temp.resolve(".env"))).isEmpty();
    }

    @Test
    void loadsAFile() throws IOException {
        Files.writeString(temp.resolve(".env"), "IDLE_TIMEOUT=1000\n");

        assertThat(DotEnv.load(temp.resolve(".env"))).containsEntry("IDLE_TIMEOUT", "1000");
    }

    @Test
    void malformedFileIsInvalidInputNamingTheFile() throws IOException {
        Path file = temp.resolve(".env");
        Files.writeString(file, "oops\n");

        assertThatThrownBy(() -> DotEnv.load(file))
                .isInstanceOf(WorkerException.class)
                .hasMessage("Cannot read " + file + ": line 1 is not KEY=value")
                .satisfies(e -> assertThat(((WorkerException) e).exitCode()).isEqualTo(ExitCode.INVALID_INPUT));
    }

    @Test
    void unreadableFileIsInvalidInput() throws IOException {
        Path directory = Files.createDirectory(temp.resolve(".env"));

        assertThatThrownBy(() -> DotEnv.load(directory))
                .isInstanceOf(WorkerException.class)
                .hasMessageStartingWith("Cannot read " + directory + ": ");
    }
}
