package com.opencodeworker.infrastructure.config;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.WorkerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses a {@code .env} file: {@code KEY=value} or {@code export KEY=value} lines, values bare,
 * {@code "double"} (with {@code \n \" \\} escapes) or {@code 'single'} quoted, {@code #} comments.
 */
public final class DotEnv {
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");
    private static final Pattern EXPORT = Pattern.compile("^export\\s+");

    private DotEnv() {
    }

    /**
     * Reads {@code file}; a missing file is an empty map.
     *
     * @throws WorkerException (exit 2) when the file cannot be read or a line is malformed
     */
    public static Map<String, String> load(Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new WorkerException(ExitCode.INVALID_INPUT, "Cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(content);
        } catch (IllegalArgumentException e) {
            throw new WorkerException(ExitCode.INVALID_INPUT, "Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses the content of a {@code .env} file; a later line wins over an earlier one.
     *
     * @throws IllegalArgumentException naming the line number (never its content, which may be a secret)
     */
    public static Map<String, String> parse(String content) {
        Map<String, String> values = new LinkedHashMap<>();
        String[] lines = content.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            line = EXPORT.matcher(line).replaceFirst("");
            int equals = line.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not KEY=value");
            }
            String key = line.substring(0, equals).strip();
            if (!KEY.matcher(key).matches()) {
                throw new IllegalArgumentException("line " + (i + 1) + " has an invalid variable name");
            }
            values.put(key, value(line.substring(equals + 1).strip(), i + 1));
        }
        return values;
    }

    private static String value(String raw, int lineNumber) {
        if (raw.startsWith("\"")) {
            return doubleQuoted(raw, lineNumber);
        }
        if (raw.startsWith("'")) {
            int end = raw.indexOf('\'', 1);
            if (end < 0) {
                throw new IllegalArgumentException("line " + lineNumber + " has an unterminated quote");
            }
            requireOnlyComment(raw.substring(end + 1), lineNumber);
            return raw.substring(1, end);
        }
        int comment = inlineComment(raw);
        return (comment < 0 ? raw : raw.substring(0, comment)).strip();
    }

    private static String doubleQuoted(String raw, int lineNumber) {
        StringBuilder value = new StringBuilder();
        for (int i = 1; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '"') {
                requireOnlyComment(raw.substring(i + 1), lineNumber);
                return value.toString();
            }
            if (c == '\\' && i + 1 < raw.length()) {
                char escaped = raw.charAt(++i);
                value.append(switch (escaped) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    default -> escaped;
                });
            } else {
                value.append(c);
            }
        }
        throw new IllegalArgumentException("line " + lineNumber + " has an unterminated quote");
    }

    private static void requireOnlyComment(String rest, int lineNumber) {
        String trimmed = rest.strip();
        if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
            throw new IllegalArgumentException("line " + lineNumber + " has text after the closing quote");
        }
    }

    /** A {@code #} starts a comment in a bare value only after whitespace, so {@code a#b} stays a value. */
    private static int inlineComment(String raw) {
        for (int i = 1; i < raw.length(); i++) {
            if (raw.charAt(i) == '#' && Character.isWhitespace(raw.charAt(i - 1))) {
                return i;
            }
        }
        return -1;
    }
}
