package com.opencodeworker.presentation;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * The worker's logging, set up from the command line before the first line is logged: to stderr,
 * or to {@code --log-file} rotated by size ({@value #MAX_FILE_SIZE} per file, the last
 * {@value #KEPT_FILES} kept as {@code FILE.1} ...), as text or as JSON lines (logback's own encoder).
 * Every timestamp has its date; the logger's class name only with {@code --verbose}.
 */
public final class LogSetup {
    static final String MAX_FILE_SIZE = "10MB";
    static final int KEPT_FILES = 5;
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %msg%n";
    static final String VERBOSE_PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n";

    /** What the command line asks of the logs. */
    public record Options(boolean verbose, Optional<Path> file, boolean json) {
    }

    private LogSetup() {
    }

    /**
     * Reads {@code --verbose}, {@code --log-file} and {@code --log-format} from {@code args}
     * (the command validates them again and reports a bad value).
     */
    public static Options parse(List<String> args) {
        boolean verbose = false;
        Optional<Path> file = Optional.empty();
        boolean json = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--verbose")) {
                verbose = true;
            }
            Optional<String> fileValue = value(args, i, "--log-file");
            if (fileValue.isPresent() && !fileValue.get().isBlank()) {
                file = Optional.of(Path.of(fileValue.get()).toAbsolutePath());
            }
            Optional<String> format = value(args, i, "--log-format");
            if (format.isPresent()) {
                json = format.get().strip().toLowerCase(Locale.ROOT).equals("json");
            }
        }
        return new Options(verbose, file, json);
    }

    private static Optional<String> value(List<String> args, int i, String option) {
        String arg = args.get(i);
        if (arg.startsWith(option + "=")) {
            return Optional.of(arg.substring(option.length() + 1));
        }
        if (arg.equals(option) && i + 1 < args.size()) {
            return Optional.of(args.get(i + 1));
        }
        return Optional.empty();
    }

    /** Replaces logback's configuration by the one {@code options} ask for. */
    public static void apply(Options options) {
        apply(options, FileSize.valueOf(MAX_FILE_SIZE), Duration.buildBySeconds(1));
    }

    /** {@link #apply(Options)} with another rotation size, and how often the size is checked. */
    static void apply(Options options, FileSize maxFileSize, Duration sizeCheck) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        Encoder<ILoggingEvent> encoder = encoder(context, options);
        OutputStreamAppender<ILoggingEvent> appender = options.file().isPresent()
                ? rollingFile(context, options.file().get(), maxFileSize, sizeCheck)
                : console(context);
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(options.verbose() ? Level.DEBUG : Level.INFO);
        root.addAppender(appender);
        context.getLogger("okhttp3").setLevel(Level.WARN);
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext context, Options options) {
        if (options.json()) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            json.setWithMDC(false);
            json.setWithArguments(false);
            json.setWithMessage(false);
            json.setWithFormattedMessage(true);
            json.setWithKVPList(false);
            json.setWithMarkers(false);
            json.start();
            return json;
        }
        PatternLayoutEncoder pattern = new PatternLayoutEncoder();
        pattern.setContext(context);
        pattern.setPattern(options.verbose() ? VERBOSE_PATTERN : PATTERN);
        pattern.start();
        return pattern;
    }

    private static OutputStreamAppender<ILoggingEvent> console(LoggerContext context) {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("STDERR");
        console.setTarget("System.err");
        return console;
    }

    private static OutputStreamAppender<ILoggingEvent> rollingFile(LoggerContext context, Path file, FileSize maxFileSize,
                                                                   Duration sizeCheck) {
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName("FILE");
        appender.setFile(file.toString());
        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(file + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(KEPT_FILES);
        rolling.start();
        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(context);
        trigger.setMaxFileSize(maxFileSize);
        trigger.setCheckIncrement(sizeCheck);
        trigger.start();
        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        return appender;
    }
}
