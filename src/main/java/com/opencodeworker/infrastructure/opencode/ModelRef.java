package com.opencodeworker.infrastructure.opencode;

import java.util.Objects;

/**
 * A model as OpenCode names it: {@code provider/model}, split at the first slash only, so
 * {@code openrouter/anthropic/claude-x} is model {@code anthropic/claude-x} of provider {@code openrouter}.
 */
record ModelRef(String provider, String model) {

    ModelRef {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
    }

    /** @throws IllegalArgumentException with a readable message when there is no provider or model part */
    static ModelRef parse(String value) {
        String trimmed = value.strip();
        int slash = trimmed.indexOf('/');
        if (slash <= 0 || slash == trimmed.length() - 1) {
            throw new IllegalArgumentException("Model \"" + trimmed
                    + "\" must be written provider/model, e.g. anthropic/claude-sonnet-4");
        }
        return new ModelRef(trimmed.substring(0, slash), trimmed.substring(slash + 1));
    }

    @Override
    public String toString() {
        return provider + "/" + model;
    }
}
