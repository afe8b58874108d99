package com.opencodeworker.infrastructure.convex.client;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/**
 * Settings of a {@link ConvexClient}: deployment URL, client name sent as {@code Convex-Client},
 * timeouts, bounds and the reconnect policy. Start from {@link #defaults(String)} and adjust with the
 * {@code with…} methods.
 *
 * @param deploymentUrl     {@code https://<name>.convex.cloud} or any http(s) URL
 * @param clientVersion     {@code <name>-<semver>}, e.g. {@code java-0.1.0}
 * @param inactivityTimeout reconnect when the server sent nothing for this long
 * @param mutationTimeout   how long {@code mutation()} blocks before a {@code TransportError}
 * @param httpTimeout       whole-call timeout of HTTP function calls
 * @param maxPendingRequests mutations and actions awaiting an answer; more fail at once
 * @param maxOutgoingBytes  bytes queued on the socket above which new requests fail at once
 * @param backoff           reconnect delays
 */
public record ConvexClientOptions(String deploymentUrl, String clientVersion, Duration inactivityTimeout,
        Duration mutationTimeout, Duration httpTimeout, int maxPendingRequests, long maxOutgoingBytes, ReconnectBackoff backoff) {

    public ConvexClientOptions {
        Objects.requireNonNull(deploymentUrl, "deploymentUrl");
        if (!deploymentUrl.startsWith("http://") && !deploymentUrl.startsWith("https://")) {
            throw new IllegalArgumentException("deployment URL must start with http:// or https://");
        }
        deploymentUrl = deploymentUrl.endsWith("/") ? deploymentUrl.substring(0, deploymentUrl.length() - 1) : deploymentUrl;
        if (clientVersion == null || !clientVersion.contains("-")) {
            throw new IllegalArgumentException("client version must look like <name>-<semver>");
        }
        Objects.requireNonNull(inactivityTimeout, "inactivityTimeout");
        Objects.requireNonNull(mutationTimeout, "mutationTimeout");
        Objects.requireNonNull(httpTimeout, "httpTimeout");
        Objects.requireNonNull(backoff, "backoff");
        if (maxPendingRequests < 1 || maxOutgoingBytes < 1) {
            throw new IllegalArgumentException("bounds must be positive");
        }
    }

    /** 60 s inactivity, 60 s mutation timeout, 30 s HTTP timeout, 1000 pending requests, 4 MiB outgoing. */
    public static ConvexClientOptions defaults(String deploymentUrl) {
        return new ConvexClientOptions(deploymentUrl, "java-" + workerVersion(), Duration.ofSeconds(60),
                Duration.ofSeconds(60), Duration.ofSeconds(30), 1000, 4L * 1024 * 1024, ReconnectBackoff.standard());
    }

    public ConvexClientOptions withInactivityTimeout(Duration timeout) {
        return new ConvexClientOptions(deploymentUrl, clientVersion, timeout, mutationTimeout, httpTimeout,
                maxPendingRequests, maxOutgoingBytes, backoff);
    }

    public ConvexClientOptions withMutationTimeout(Duration timeout) {
        return new ConvexClientOptions(deploymentUrl, clientVersion, inactivityTimeout, timeout, httpTimeout,
                maxPendingRequests, maxOutgoingBytes, backoff);
    }

    public ConvexClientOptions withHttpTimeout(Duration timeout) {
        return new ConvexClientOptions(deploymentUrl, clientVersion, inactivityTimeout, mutationTimeout, timeout,
                maxPendingRequests, maxOutgoingBytes, backoff);
    }

    public ConvexClientOptions withMaxPendingRequests(int max) {
        return new ConvexClientOptions(deploymentUrl, clientVersion, inactivityTimeout, mutationTimeout, httpTimeout,
                max, maxOutgoingBytes, backoff);
    }

    public ConvexClientOptions withMaxOutgoingBytes(long max) {
        return new ConvexClientOptions(deploymentUrl, clientVersion, inactivityTimeout, mutationTimeout, httpTimeout,
                maxPendingRequests, max, backoff);
    }

    public ConvexClientOptions withBackoff(ReconnectBackoff policy) {
        return new ConvexClientOptions(deploymentUrl, clientVersion, inactivityTimeout, mutationTimeout, httpTimeout,
                maxPendingRequests, maxOutgoingBytes, policy);
    }

    public ConvexClientOptions withClientVersion(String version) {
        return new ConvexClientOptions(deploymentUrl, version, inactivityTimeout, mutationTimeout, httpTimeout,
                maxPendingRequests, maxOutgoingBytes, backoff);
    }

    /** The sync endpoint: http→ws, https→wss, path {@code /api/sync}. */
    public String syncUrl() {
        return deploymentUrl.replaceFirst("^http", "ws") + "/api/sync";
    }

    private static String workerVersion() {
        Properties properties = new Properties();
        try (InputStream in = ConvexClientOptions.class.getResourceAsStream("/worker-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            return "0.0.0";
        }
        String version = properties.getProperty("version", "0.0.0");
        return version.startsWith("$") ? "0.0.0" : version;
    }
}
