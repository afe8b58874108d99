package com.opencodeworker.domain;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The credential of a machine, {@code <machineId>:<secret>}. The secret never appears in
 * {@link #toString()}: it shows {@code mch_abc123:sec_***}.
 */
public final class MachineToken {
    public static final String EXPECTED_FORM = "<machine_id>:<machine_secret>";
    private static final Pattern SECRET = Pattern.compile("sec_[A-Za-z0-9_-]{8,128}");

    private final MachineId machineId;
    private final String secret;

    private MachineToken(MachineId machineId, String secret) {
        this.machineId = machineId;
        this.secret = secret;
    }

    /**
     * Parses what a user pasted: surrounding whitespace is trimmed, then exactly one {@code :}
     * separates a valid machine id from a valid secret.
     *
     * @throws InvalidTokenException with a message that never contains the secret
     */
    public static MachineToken parse(String raw) {
        if (raw == null || raw.strip().isEmpty()) {
            throw new InvalidTokenException("the token is empty");
        }
        String token = raw.strip();
        int colon = token.indexOf(':');
        if (colon < 0) {
            throw new InvalidTokenException("it has no ':' between machine id and secret");
        }
        if (token.indexOf(':', colon + 1) >= 0) {
            throw new InvalidTokenException("it has more than one ':'");
        }
        String id = token.substring(0, colon);
        String secret = token.substring(colon + 1);
        MachineId machineId;
        try {
            machineId = new MachineId(id);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("the machine id must look like mch_ followed by 3 to 64 of A-Z a-z 0-9 _ -");
        }
        if (!SECRET.matcher(secret).matches()) {
            throw new InvalidTokenException("the secret must look like sec_ followed by 8 to 128 of A-Z a-z 0-9 _ -");
        }
        return new MachineToken(machineId, secret);
    }

    public MachineId machineId() {
        return machineId;
    }

    /** The secret itself: pass it only to the backend, never to a log or a message. */
    public String secret() {
        return secret;
    }

    /** The token as the user typed it (for the config file only). */
    public String reveal() {
        return machineId.value() + ":" + secret;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MachineToken other && machineId.equals(other.machineId) && secret.equals(other.secret);
    }

    @Override
    public int hashCode() {
        return Objects.hash(machineId, secret);
    }

    @Override
    public String toString() {
        return machineId.value() + ":sec_***";
    }

    /** A token that is not of the form {@value #EXPECTED_FORM}; the message says why, without the secret. */
    public static final class InvalidTokenException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidTokenException(String reason) {
            super("Invalid token format: expected " + EXPECTED_FORM + " (" + reason + ")");
        }
    }
}
