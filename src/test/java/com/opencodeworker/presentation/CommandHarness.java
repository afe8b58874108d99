package com.opencodeworker.presentation;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.infrastructure.config.WorkerConfig;
import com.opencodeworker.testing.StreamTerminal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Runs {@link WorkerCommand} in-process with a scripted terminal, a recording runner and captured output. */
final class CommandHarness {
    final Path workingDirectory;
    final Map<String, String> environment = new HashMap<>();
    final List<WorkerConfig> runs = new ArrayList<>();
    WorkerRunner runner = config -> {
        runs.add(config);
        return ExitCode.OK;
    };

    CommandHarness(Path workingDirectory) {
        this.workingDirectory = workingDirectory;
    }

    /** The outcome of one run: exit code, stdout, stderr, and what the terminal showed. */
    record Result(int exitCode, String out, String err, String terminal, StreamTerminal streamTerminal) {
    }

    /** An executable that answers {@code --version} like OpenCode, for checks that must find one. */
    Path fakeOpenCode() {
        try {
            Path script = Files.createDirectories(workingDirectory.resolve("fake-bin")).resolve("opencode");
            Files.writeString(script, "#!/bin/sh\necho 1.18.33\n");
            Files.setPosixFilePermissions(script,
                    PosixFilePermissions.fromString("rwx------"));
            return script;
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Result run(String... args) {
        return run(false, "", args);
    }

    Result runInTerminal(String input, String... args) {
        return run(true, input, args);
    }

    private Result run(boolean interactive, String input, String... args) {
        ByteArrayOutputStream terminalOut = new ByteArrayOutputStream();
        StreamTerminal terminal = new StreamTerminal(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(terminalOut, true, StandardCharsets.UTF_8), interactive);
        WorkerRunner recording = new WorkerRunner() {
            @Override
            public ExitCode run(WorkerConfig config) {
                return runner.run(config);
            }

            @Override
            public ExitCode run(WorkerConfig config, Runnable onAccepted) {
                return runner.run(config, onAccepted);
            }
        };
        CommandLine commandLine = new WorkerCommand(environment, workingDirectory, terminal, recording).commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Result(exitCode, out.toString(), err.toString(), terminalOut.toString(StandardCharsets.UTF_8), terminal);
    }
}
