package com.opencodeworker.infrastructure.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.opencodeworker.domain.PermissionPolicy;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Turns a {@link PermissionPolicy} into OpenCode's permission config (ask for whatever the policy
 * may deny, so that each denial is seen and reported) and answers the requests that then arrive.
 * The {@code question} tool is always denied: nobody is there to answer it. Immutable.
 */
final class PermissionGuard {
    private static final Set<String> ALWAYS_DENIED = Set.of("external_directory", "doom_loop");
    private static final Set<String> WRITES = Set.of("edit", "write", "patch", "multiedit", "bash");

    private final PermissionPolicy policy;

    PermissionGuard(PermissionPolicy policy) {
        this.policy = policy;
    }

    PermissionPolicy policy() {
        return policy;
    }

    /** The {@code OPENCODE_PERMISSION} value for the process. */
    String configJson(ObjectMapper json) {
        ObjectNode config = json.createObjectNode();
        config.put("question", "deny");
        switch (policy) {
            case DEFAULT -> {
                config.put("external_directory", "ask");
                config.put("doom_loop", "ask");
            }
            case READ_ONLY -> {
                config.put("external_directory", "ask");
                config.put("doom_loop", "ask");
                config.put("edit", "ask");
                config.put("bash", "ask");
            }
            case ALLOW_ALL -> {
                config.put("external_directory", "allow");
                config.put("edit", "allow");
                config.put("bash", "allow");
                config.put("webfetch", "allow");
            }
        }
        return config.toString();
    }

    boolean allows(String permission) {
        return switch (policy) {
            case ALLOW_ALL -> true;
            case DEFAULT -> !ALWAYS_DENIED.contains(permission);
            case READ_ONLY -> !ALWAYS_DENIED.contains(permission) && !WRITES.contains(permission);
        };
    }

    /** The feedback the model gets with a rejection; with a message OpenCode's loop continues. */
    String rejectionMessage(String permission) {
        return "The permission policy of this worker (" + policy.wireName() + ") does not allow " + permission
                + ". Continue without it.";
    }

    /** One readable line about a denied request, e.g. "denied external_directory /outside/x.txt (permission policy: default)". */
    String deniedLine(JsonNode request) {
        String permission = request.path("permission").asText("?");
        JsonNode metadata = request.path("metadata");
        String subject = metadata.hasNonNull("filepath") ? metadata.get("filepath").asText()
                : metadata.hasNonNull("command") ? metadata.get("command").asText()
                : StreamSupport.stream(request.path("patterns").spliterator(), false)
                        .map(JsonNode::asText).collect(Collectors.joining(" "));
        String line = "denied " + permission + (subject.isBlank() ? "" : " " + subject);
        return OneLineText.shorten(line) + " (permission policy: " + policy.wireName() + ")";
    }
}
