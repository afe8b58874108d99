package com.opencodeworker.presentation.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running worker's status endpoint: HTTP on 127.0.0.1 and a random port, answering
 * {@code GET /status} with a JSON {@link StatusBoard.Snapshot} to requests that carry the random
 * bearer secret of its {@link StatusFile}, which only the user can read. One daemon thread, which
 * waits in {@code accept} (the JDK's HTTP server wakes every second even when nobody asks) and
 * answers one request per connection, one connection at a time; a connection has 2 s in all to send
 * its request.
 */
public final class StatusServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REQUEST_BYTES = 16 * 1024;
    static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

    private final ServerSocket socket;
    private final StatusBoard board;
    private final byte[] expected;
    private final StatusFile file;
    private final Thread thread;
    /** The connection being answered, closed by {@link #close()} so that it does not wait for a slow client. */
    private volatile Socket current;

    private StatusServer(ServerSocket socket, StatusBoard board, String secret, StatusFile file) {
        this.socket = socket;
        this.board = board;
        this.expected = ("Bearer " + secret).getBytes(StandardCharsets.UTF_8);
        this.file = file;
        this.thread = new Thread(this::serve, "status-endpoint");
        this.thread.setDaemon(true);
    }

    /** Starts the endpoint and writes its address and secret to {@code file}; a failure is logged, not fatal. */
    public static StatusServer start(StatusBoard board, StatusFile file) throws IOException {
        byte[] secretBytes = new byte[32];
        new SecureRandom().nextBytes(secretBytes);
        String secret = HexFormat.of().formatHex(secretBytes);
        ServerSocket socket = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        try {
            file.write(socket.getLocalPort(), secret);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        StatusServer server = new StatusServer(socket, board, secret, file);
        server.thread.start();
        LOG.debug("Status endpoint on 127.0.0.1:{} (secret in {})", socket.getLocalPort(), file.path());
        return server;
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket connection = socket.accept()) {
                current = connection;
                connection.setSoTimeout((int) READ_TIMEOUT.toMillis());
                answer(connection);
            } catch (SocketException e) {
                if (!socket.isClosed()) {
                    LOG.debug("Status request failed: {}", e.getMessage());
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("Status request failed: {}", e.getMessage());
            }
        }
    }

    private void answer(Socket connection) throws IOException {
        OutputStream out = connection.getOutputStream();
        String head = readHead(new BufferedInputStream(connection.getInputStream()),
                System.nanoTime() + READ_TIMEOUT.toNanos());
        if (head == null) {
            send(out, 400, "Bad Request", "{\"error\":\"bad request\"}");
            return;
        }
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            send(out, 400, "Bad Request", "{\"error\":\"bad request\"}");
            return;
        }
        if (!MessageDigest.isEqual(authorization(lines).getBytes(StandardCharsets.UTF_8), expected)) {
            send(out, 401, "Unauthorized", "{\"error\":\"unauthorized\"}");
            return;
        }
        if (!requestLine[1].equals("/status") && !requestLine[1].startsWith("/status?")) {
            send(out, 404, "Not Found", "{\"error\":\"not found\"}");
            return;
        }
        if (!requestLine[0].equals("GET")) {
            send(out, 405, "Method Not Allowed", "{\"error\":\"GET only\"}");
            return;
        }
        StatusBoard.Snapshot snapshot = board.snapshot(Instant.now(),
                pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        send(out, 200, "OK", JSON.writeValueAsString(StatusJson.of(snapshot)));
    }

    /**
     * The request line and headers, up to the blank line; null when too long, cut short, or still
     * coming at {@code deadline} (so that a client sending a byte now and then cannot hold the thread).
     */
    private static String readHead(InputStream in, long deadline) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (head.size() < MAX_REQUEST_BYTES && System.nanoTime() - deadline < 0) {
            int next = in.read();
            if (next < 0) {
                return null;
            }
            head.write(next);
            matched = next == "\r\n\r\n".charAt(matched) ? matched + 1 : next == '\r' ? 1 : 0;
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static String authorization(String[] lines) {
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("authorization")) {
                return lines[i].substring(colon + 1).trim();
            }
        }
        return "";
    }

    private static void send(OutputStream out, int status, String reason, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }

    @Override
    public void close() {
        try {
            socket.close();
            Socket connection = current;
            if (connection != null) {
                connection.close();
            }
        } catch (IOException e) {
            LOG.debug("Closing the status endpoint failed: {}", e.getMessage());
        }
        try {
            thread.join(READ_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        file.deleteIfOurs();
    }
}
