package com.opencodeworker.presentation;

import java.io.Console;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;

/** The process's {@link Console}; not interactive when there is none (standard input redirected, CI). */
public final class ConsoleTerminal implements Terminal {
    private final Console console;

    private ConsoleTerminal(Console console) {
        this.console = console;
    }

    public static ConsoleTerminal system() {
        return new ConsoleTerminal(System.console());
    }

    @Override
    public boolean isInteractive() {
        return console != null && isTerminal(console);
    }

    @Override
    public Optional<String> readLine(String prompt) {
        return Optional.ofNullable(console.readLine("%s", prompt));
    }

    @Override
    public Optional<String> readSecret(String prompt) {
        char[] typed = console.readPassword("%s", prompt);
        if (typed == null) {
            return Optional.empty();
        }
        String secret = new String(typed);
        Arrays.fill(typed, '\0');
        return Optional.of(secret);
    }

    @Override
    public void println(String line) {
        console.writer().println(line);
        console.writer().flush();
    }

    /** From Java 22 a console may exist with redirected streams; {@code Console.isTerminal()} then tells. */
    private static boolean isTerminal(Console console) {
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
