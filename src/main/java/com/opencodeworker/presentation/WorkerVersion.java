package com.opencodeworker.presentation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The worker's version, from the build's {@code worker-version.properties}. */
public final class WorkerVersion implements IVersionProvider {
    private static final String RESOURCE = "/worker-version.properties";

    /** The version, e.g. {@code 0.1.0}; {@code unknown} when the resource is missing. */
    public static String current() {
        try (InputStream in = WorkerVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + RESOURCE, e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"opencode-worker " + current()};
    }
}
