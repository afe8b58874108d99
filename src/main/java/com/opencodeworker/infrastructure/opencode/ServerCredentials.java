package com.opencodeworker.infrastructure.opencode;

import java.security.SecureRandom;
import java.util.Base64;
import okhttp3.Credentials;

/**
 * The per-process password of one OpenCode server (HTTP Basic auth, user {@code opencode}).
 * Never printed: {@link #toString()} hides it.
 */
final class ServerCredentials {
    static final String USER = "opencode";
    private static final int PASSWORD_BYTES = 24;

    private final String password;

    private ServerCredentials(String password) {
        this.password = password;
    }

    static ServerCredentials random(SecureRandom random) {
        byte[] bytes = new byte[PASSWORD_BYTES];
        random.nextBytes(bytes);
        return new ServerCredentials(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    static ServerCredentials of(String password) {
        return new ServerCredentials(password);
    }

    String password() {
        return password;
    }

    String authorizationHeader() {
        return Credentials.basic(USER, password);
    }

    @Override
    public String toString() {
        return "ServerCredentials[user=" + USER + ", password=***]";
    }
}
