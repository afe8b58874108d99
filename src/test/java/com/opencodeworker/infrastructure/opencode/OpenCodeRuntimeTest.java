package com.opencodeworker.infrastructure.opencode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.PermissionPolicy;
import com.opencodeworker.domain.WorkerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenCodeRuntimeTest {
    @TempDir
    Path temp;

    private Path executable(String name, String body) throws IOException {
        Path script = temp.resolve(name);
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private static OpenCodeRuntime runtime(Optional<Path> binary, Map<String, String> env) {
        return new OpenCodeRuntime(binary, PermissionPolicy.DEFAULT, env, OpenCodeOptions.defaults());
    }

    @Test
    void missingGivenBinaryNamesThePathAndHowToInstall() {
        Path missing = temp.resolve("nowhere/opencode");

        assertThatThrownBy(() -> runtime(Optional.of(missing), Map.of()).verifyAvailable())
                .isInstanceOfSatisfying(WorkerException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.INVALID_INPUT))
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("npm i -g opencode-ai").hasMessageContaining("OPENCODE_BIN");
    }

    @Test
    void noOpencodeOnThePathSaysHowToInstall() {
        assertThatThrownBy(() -> runtime(Optional.empty(), Map.of("PATH", temp.toString())).verifyAvailable())
                .isInstanceOf(WorkerException.class)
                .hasMessage("OpenCode not found: install it with `npm i -g opencode-ai` or set OPENCODE_BIN");
    }

    @Test
    void opencodeIsFoundOnThePath() throws IOException {
        Path binary = executable("opencode", "echo 1.18.33");

        assertThat(runtime(Optional.empty(), Map.of("PATH", "/nonexistent:" + temp)).resolveBinary())
                .isEqualTo(binary);
    }

    @Test
    void binaryThatFailsToRunIsReportedWithItsOutput() throws IOException {
        Path binary = executable("broken", "echo 'cannot execute: wrong architecture'\nexit 126");

        assertThatThrownBy(() -> runtime(Optional.of(binary), Map.of()).verifyAvailable())
                .isInstanceOfSatisfying(WorkerException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.INVALID_INPUT))
                .hasMessageContaining("exited with 126").hasMessageContaining("wrong architecture");
    }

    @Test
    void workingBinaryPassesTheCheck() throws IOException {
        Path binary = executable("opencode", "echo 1.18.33");

        runtime(Optional.of(binary), Map.of()).verifyAvailable();

        assertThat(binary).isExecutable();
    }
}
