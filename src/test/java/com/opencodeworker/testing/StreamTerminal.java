package com.opencodeworker.testing;

import com.opencodeworker.presentation.Terminal;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A terminal driven by streams: answers are read line by line from {@code in}; prompts and messages go to {@code out}. */
public final class StreamTerminal implements Terminal {
    private final BufferedReader in;
    private final PrintStream out;
    private final boolean interactive;
    private final List<String> secretPrompts = new ArrayList<>();

    public StreamTerminal(InputStream in, PrintStream out, boolean interactive) {
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public boolean isInteractive() {
        return interactive;
    }

    @Override
    public Optional<String> readLine(String prompt) {
        out.print(prompt);
        try {
            return Optional.ofNullable(in.readLine());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<String> readSecret(String prompt) {
        secretPrompts.add(prompt);
        return readLine(prompt);
    }

    @Override
    public void println(String line) {
        out.println(line);
    }

    /** The prompts whose answer was read without echo. */
    public List<String> secretPrompts() {
        return List.copyOf(secretPrompts);
    }
}
