package com.opencodeworker.presentation;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.StoredConfig;
import com.opencodeworker.infrastructure.config.ConvexUrl;
import com.opencodeworker.infrastructure.config.RootDirectory;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Asks, on the first start in a terminal, for what the worker cannot find anywhere: the machine
 * token (not echoed), the root directory and the Convex URL. A bad answer is explained and asked
 * again, at most {@value #MAX_ATTEMPTS} times.
 */
public final class FirstRunPrompt {
    static final int MAX_ATTEMPTS = 5;

    private final Terminal terminal;
    private final Path workingDirectory;
    private final Optional<String> home;
    private final Path defaultRoot;

    /** @param defaultRoot the root directory offered (Enter takes it): the home directory, not the clone */
    public FirstRunPrompt(Terminal terminal, Path workingDirectory, Optional<String> home, Path defaultRoot) {
        this.terminal = Objects.requireNonNull(terminal, "terminal");
        this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
        this.home = Objects.requireNonNull(home, "home");
        this.defaultRoot = Objects.requireNonNull(defaultRoot, "defaultRoot");
    }

    /** What the questions are about: each {@code true} is asked. */
    public record Questions(boolean token, boolean rootDirectory, boolean convexUrl) {
    }

    /**
     * Asks the questions and returns {@code stored} with the answers added.
     *
     * @throws WorkerException (exit 2) at the end of input or after too many bad answers
     */
    public StoredConfig ask(Questions questions, StoredConfig stored) {
        terminal.println("First start of the worker on this machine: a few settings are needed.");
        terminal.println("They are saved in the config file, readable by you only, once Convex accepted them.");
        Optional<MachineToken> token = stored.token();
        Optional<String> root = stored.rootDirectory();
        Optional<String> convexUrl = stored.convexUrl();
        if (questions.token()) {
            token = Optional.of(askUntilValid("Machine token (" + MachineToken.EXPECTED_FORM + ", from the web app): ",
                    "machine token", true, MachineToken::parse));
        }
        if (questions.rootDirectory()) {
            Path answer = askUntilValid("Root directory [" + defaultRoot + "]: ", "root directory", false,
                    raw -> RootDirectory.resolve(raw.isBlank() ? defaultRoot.toString() : raw, workingDirectory, home));
            root = Optional.of(answer.toString());
        }
        if (questions.convexUrl()) {
            convexUrl = Optional.of(askUntilValid("Convex URL (e.g. https://happy-otter-123.convex.cloud): ",
                    "Convex URL", false, ConvexUrl::normalise));
        }
        return new StoredConfig(token, root, convexUrl);
    }

    private <T> T askUntilValid(String prompt, String what, boolean secret, Function<String, T> parser) {
        String lastProblem = "";
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Optional<String> answer = secret ? terminal.readSecret(prompt) : terminal.readLine(prompt);
            if (answer.isEmpty()) {
                throw new WorkerException(ExitCode.INVALID_INPUT, "No " + what + " entered (end of input)");
            }
            try {
                return parser.apply(answer.get());
            } catch (IllegalArgumentException e) {
                lastProblem = e.getMessage();
                terminal.println(lastProblem);
            }
        }
        throw new WorkerException(ExitCode.INVALID_INPUT, lastProblem + " (gave up after " + MAX_ATTEMPTS + " tries)");
    }
}
