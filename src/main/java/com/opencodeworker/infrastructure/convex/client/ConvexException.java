package com.opencodeworker.infrastructure.convex.client;

import java.util.Map;
import java.util.Optional;

/**
 * A failed Convex call. Each subtype tells the caller whether trying again can help: see
 * {@link #retryable()}.
 */
public abstract class ConvexException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected ConvexException(String message, Throwable cause) {
        super(message, cause);
    }

    public abstract boolean retryable();

    /** The function ran and threw; {@code data} is the ConvexError's data, if it was one. Never retryable. */
    public static final class FunctionError extends ConvexException {
        private static final long serialVersionUID = 1L;
        private final transient Object data;

        public FunctionError(String message, Object data) {
            super(message, null);
            this.data = data;
        }

        /** The ConvexError data (Convex-JSON decoded), or null for a plain error. */
        public Object data() {
            return data;
        }

        /** {@code data.code} when the data is an object with a string code. */
        public Optional<String> code() {
            if (data instanceof Map<?, ?> map && map.get("code") instanceof String code) {
                return Optional.of(code);
            }
            return Optional.empty();
        }

        @Override
        public boolean retryable() {
            return false;
        }
    }

    /** The HTTP request was refused (4xx/5xx with {@code {code,message}}); 5xx and 429 are retryable. */
    public static final class RequestError extends ConvexException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String code;

        public RequestError(int status, String code, String message) {
            super("HTTP " + status + " " + code + ": " + message, null);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }

        @Override
        public boolean retryable() {
            return status >= 500 || status == 429;
        }
    }

    /**
     * The backend could not be reached or the connection was lost before an answer (an action in
     * flight, a mutation that timed out waiting for a reconnect). Retryable.
     */
    public static final class TransportError extends ConvexException {
        private static final long serialVersionUID = 1L;

        public TransportError(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }

    /** The server sent FatalError or AuthError: the client stopped for good. Not retryable. */
    public static final class Fatal extends ConvexException {
        private static final long serialVersionUID = 1L;

        public Fatal(String message) {
            super(message, null);
        }

        @Override
        public boolean retryable() {
            return false;
        }
    }
}
