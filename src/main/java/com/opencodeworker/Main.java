package com.opencodeworker;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.presentation.ConsoleTerminal;
import com.opencodeworker.presentation.LogSetup;
import com.opencodeworker.presentation.WorkerCommand;
import com.opencodeworker.presentation.WorkerWiring;
import java.nio.file.Path;
import java.util.Arrays;

/** Entry point; the only place that calls {@link System#exit}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Before the first line is logged: level, destination and format come from the command line.
        LogSetup.apply(LogSetup.parse(Arrays.asList(args)));
        int exitCode;
        try {
            WorkerCommand command = new WorkerCommand(System.getenv(), Path.of("").toAbsolutePath(),
                    ConsoleTerminal.system(), WorkerWiring.standard());
            exitCode = command.commandLine().execute(args);
        } catch (Throwable e) {
            System.err.println("Unexpected failure: " + e.getMessage() + " (run with --verbose for details)");
            if (Arrays.asList(args).contains("--verbose")) {
                e.printStackTrace();
            }
            exitCode = ExitCode.FAILURE.code();
        }
        System.exit(exitCode);
    }
}
