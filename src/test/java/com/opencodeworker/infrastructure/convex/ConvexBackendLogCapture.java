package com.opencodeworker.infrastructure.convex;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures what the Convex adapter logs (its package's loggers), as whole lines with their causes' messages. */
final class ConvexBackendLogCapture implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("com.opencodeworker.infrastructure.convex");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    ConvexBackendLogCapture() {
        appender.start();
        logger.addAppender(appender);
    }

    /** Every captured event as one text: level, message, and the messages of its exception chain. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent event : List.copyOf(appender.list)) {
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
        logger.detachAppender(appender);
    }
}
