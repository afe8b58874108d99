package com.opencodeworker.testing.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the fake model answers to one chat request: text chunks, or one tool call. */
record ReplyPlan(List<String> chunks, String tool, String arguments, boolean slow) {
    private static final Pattern TOOL = Pattern.compile("\\[\\[tool:([A-Za-z0-9_\\-]+)\\s+(\\{.*?\\})\\]\\]",
            Pattern.DOTALL);
    private static final Pattern WORKING_DIRECTORY = Pattern.compile("Working directory: (\\S+)");

    static ReplyPlan of(JsonNode body) {
        JsonNode messages = body.path("messages");
        int userTurns = 0;
        String lastUser = "";
        StringBuilder system = new StringBuilder();
        for (JsonNode message : messages) {
            switch (message.path("role").asText()) {
                case "user" -> {
                    userTurns++;
                    lastUser = text(message.path("content"));
                }
                case "system" -> system.append(text(message.path("content"))).append(' ');
                default -> {
                }
            }
        }
        JsonNode last = messages.size() == 0 ? null : messages.get(messages.size() - 1);
        if (last != null && "tool".equals(last.path("role").asText())) {
            String result = text(last.path("content")).replace('\n', ' ');
            return text("Tool result seen: " + result.substring(0, Math.min(60, result.length())));
        }
        if (system.toString().toLowerCase().contains("title") && body.path("tools").size() == 0) {
            return text("Fake title");
        }
        Matcher tool = TOOL.matcher(lastUser);
        if (tool.find() && body.path("tools").size() > 0) {
            return new ReplyPlan(List.of(), tool.group(1), tool.group(2), false);
        }
        if (lastUser.contains(FakeModelServer.SLOW)) {
            return new ReplyPlan(Collections.nCopies(FakeModelServer.SLOW_CHUNKS, "tick "), null, null, true);
        }
        Matcher directory = WORKING_DIRECTORY.matcher(system);
        String where = directory.find() ? " [cwd: " + directory.group(1) + "]" : "";
        return text("Hello from fake model (user turns seen: " + userTurns + ")" + where);
    }

    private static ReplyPlan text(String answer) {
        List<String> chunks = new ArrayList<>();
        String[] words = answer.split(" ");
        for (int i = 0; i < words.length; i++) {
            chunks.add(words[i] + (i < words.length - 1 ? " " : ""));
        }
        return new ReplyPlan(chunks, null, null, false);
    }

    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        List<String> parts = new ArrayList<>();
        content.forEach(part -> {
            if ("text".equals(part.path("type").asText())) {
                parts.add(part.path("text").asText());
            }
        });
        return String.join("\n", parts);
    }
}
