package com.opencodeworker.presentation.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running worker's status endpoint: HTTP on 127.0.0.1 and a random port, answering
 * {@code GET /status} with a JSON {@link StatusBoard.Snapshot} to requests that carry the random
 * bearer secret of its {@link StatusFile}, which only the user can read. One daemon thread.
 */
public final class StatusServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final StatusFile file;

    private StatusServer(HttpServer server, ExecutorService executor, StatusFile file) {
        this.server = server;
        this.executor = executor;
        this.file = file;
    }

    /** Starts the endpoint and writes its address and secret to {@code file}; a failure is logged, not fatal. */
    public static StatusServer start(StatusBoard board, StatusFile file) throws IOException {
        byte[] secretBytes = new byte[32];
        new SecureRandom().nextBytes(secretBytes);
        String secret = HexFormat.of().formatHex(secretBytes);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "status-endpoint");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        byte[] expected = ("Bearer " + secret).getBytes(StandardCharsets.UTF_8);
        server.createContext("/status", exchange -> answer(exchange, board, expected));
        server.start();
        try {
            file.write(server.getAddress().getPort(), secret);
        } catch (IOException e) {
            server.stop(0);
            executor.shutdownNow();
            throw e;
        }
        LOG.debug("Status endpoint on 127.0.0.1:{} (secret in {})", server.getAddress().getPort(), file.path());
        return new StatusServer(server, executor, file);
    }

    private static void answer(HttpExchange exchange, StatusBoard board, byte[] expected) throws IOException {
        try (exchange) {
            String header = exchange.getRequestHeaders().getFirst("Authorization");
            byte[] offered = header == null ? new byte[0] : header.getBytes(StandardCharsets.UTF_8);
            if (!MessageDigest.isEqual(offered, expected)) {
                send(exchange, 401, "{\"error\":\"unauthorized\"}");
                return;
            }
            if (!exchange.getRequestMethod().equals("GET")) {
                send(exchange, 405, "{\"error\":\"GET only\"}");
                return;
            }
            StatusBoard.Snapshot snapshot = board.snapshot(Instant.now(),
                    pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            send(exchange, 200, JSON.writeValueAsString(StatusJson.of(snapshot)));
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        file.deleteIfOurs();
    }
}
