package com.opencodeworker.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures what a logger (a class's, or a package's and all below it) logs while it is open; close
 * it to stop capturing. Safe to read while other threads log.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String name) {
        logger = (Logger) LoggerFactory.getLogger(name);
        appender.start();
        logger.addAppender(appender);
    }

    public static LogCapture of(Class<?> source) {
        return new LogCapture(source.getName());
    }

    /** Everything logged under {@code name}, e.g. a package. */
    public static LogCapture of(String name) {
        return new LogCapture(name);
    }

    /** The events logged so far, in order. */
    public List<ILoggingEvent> events() {
        // The appender appends while holding its own lock.
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** The formatted messages logged so far, in order. */
    public List<String> messages() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
