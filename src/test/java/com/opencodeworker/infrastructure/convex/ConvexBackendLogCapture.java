package com.opencodeworker.infrastructure.convex;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import com.opencodeworker.testing.LogCapture;
import java.util.ArrayList;
import java.util.List;

/** Captures what the Convex adapter logs (its package's loggers), as whole lines with their causes' messages. */
final class ConvexBackendLogCapture implements AutoCloseable {
    private final LogCapture capture = LogCapture.of("com.opencodeworker.infrastructure.convex");

    /** Every captured event as one text: level, message, and the messages of its exception chain. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent event : capture.events()) {
            StringBuilder line = new StringBuilder(event.getLevel() + " " + event.getFormattedMessage());
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
            }
            lines.add(line.toString());
        }
        return lines;
    }

    List<String> warnings() {
        return lines().stream().filter(line -> line.startsWith(Level.WARN.toString())).toList();
    }

    @Override
    public void close() {
        capture.close();
    }
}
