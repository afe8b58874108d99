package com.opencodeworker.presentation;

import java.util.Optional;

/** The user's terminal, for the first-run questions; tests drive it through streams. */
public interface Terminal {

    /** Whether a person can answer questions (standard input is a terminal). */
    boolean isInteractive();

    /** Shows {@code prompt} and reads one line; empty at the end of input. */
    Optional<String> readLine(String prompt);

    /** Like {@link #readLine} but the typed text is not echoed. */
    Optional<String> readSecret(String prompt);

    void println(String line);
}
