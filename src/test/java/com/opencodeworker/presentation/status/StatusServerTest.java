package com.opencodeworker.presentation.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The status endpoint over real loopback sockets: who gets an answer, and what a bad request gets. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class StatusServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final StatusBoard board = new StatusBoard("1.0", "mch_1", "config.json", "/r", Instant.EPOCH);
    @TempDir
    Path dir;
    private StatusFile file;
    private StatusServer server;
    private StatusFile.Address address;

    @BeforeEach
    void start() throws IOException {
        file = new StatusFile(dir.resolve("status.json"));
        server = StatusServer.start(board, file);
        address = file.read().orElseThrow();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> request(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theSecretOfTheStatusFileGetsTheBoardAsJson() throws Exception {
        HttpResponse<String> response = request("GET", "/status", "Bearer " + address.secret());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode status = JSON.readTree(response.body());
        assertThat(status.toString()).contains("mch_1");
    }

    @Test
    void noSecretOrAnotherOneIsUnauthorized() throws Exception {
        assertThat(request("GET", "/status", null).statusCode()).isEqualTo(401);
        assertThat(request("GET", "/status", "Bearer " + "0".repeat(64)).statusCode()).isEqualTo(401);
    }

    @Test
    void otherPathsAndMethodsAreRefused() throws Exception {
        String bearer = "Bearer " + address.secret();
        assertThat(request("GET", "/other", bearer).statusCode()).isEqualTo(404);
        assertThat(request("POST", "/status", bearer).statusCode()).isEqualTo(405);
    }

    @Test
    void aMalformedRequestGetsBadRequestAndTheNextOneIsAnswered() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), address.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("nonsense\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 400 ");
        }
        assertThat(request("GET", "/status", "Bearer " + address.secret()).statusCode()).isEqualTo(200);
    }

    @Test
    void aClientThatSendsNothingIsDroppedAfterTheReadTimeoutAndOthersAreAnsweredThen() throws Exception {
        try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), address.port())) {
            HttpResponse<String> response = request("GET", "/status", "Bearer " + address.secret());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(silent.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void closingStopsAnsweringAndRemovesTheStatusFile() throws Exception {
        server.close();

        assertThat(Files.exists(file.path())).isFalse();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), address.port())) {
            socket.setSoTimeout((int) Duration.ofSeconds(5).toMillis());
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        } catch (IOException refused) {
            assertThat(refused).hasMessageContaining("Connection refused");
        }
    }
}
