package com.opencodeworker.infrastructure.convex.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.opencodeworker.testing.convex.FakeConvexError;
import com.opencodeworker.testing.convex.FakeConvexServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConvexHttpClientTest {
    private final OkHttpClient http = new OkHttpClient();
    private FakeConvexServer server;
    private ConvexHttpClient client;

    @BeforeEach
    void start() {
        server = FakeConvexServer.start();
        server.registerQuery("messages:list", args -> List.of(Map.of("n", 5L, "limit", args.get("limit"))));
        server.registerMutation("messages:send", args -> 1.0);
        server.registerAction("messages:act", args -> Map.of("echoed", args));
        server.registerMutation("messages:fail", args -> {
            throw new FakeConvexError("NOPE", "not allowed");
        });
        server.registerQuery("messages:crash", args -> {
            throw new IllegalStateException("boom");
        });
        client = new ConvexHttpClient(http, server.url(), "java-0.1.0");
    }

    @AfterEach
    void stop() {
        server.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    @Test
    void querySuccessReturnsTheDecodedValue() {
        assertThat(client.query("messages:list", Map.of("limit", 10L))).isEqualTo(List.of(Map.of("n", 5L, "limit", 10L)));
        assertThat(server.clientVersions()).containsExactly("java-0.1.0");
    }

    @Test
    void mutationAndActionReturnTheirValues() {
        assertThat(client.mutation("messages:send", Map.of("body", "hi"))).isEqualTo(1.0);
        assertThat(client.action("messages:act", Map.of("x", 1.0))).isEqualTo(Map.of("echoed", Map.of("x", 1.0)));
    }

    @Test
    void convexErrorBecomesFunctionErrorWithCode() {
        assertThatThrownBy(() -> client.mutation("messages:fail", Map.of()))
                .isInstanceOfSatisfying(ConvexException.FunctionError.class, error -> {
                    assertThat(error.code()).contains("NOPE");
                    assertThat(error.data()).isEqualTo(Map.of("code", "NOPE", "message", "not allowed"));
                    assertThat(error.retryable()).isFalse();
                });
    }

    @Test
    void plainFunctionErrorHasNoData() {
        assertThatThrownBy(() -> client.query("messages:crash", Map.of()))
                .isInstanceOfSatisfying(ConvexException.FunctionError.class, error -> {
                    assertThat(error.data()).isNull();
                    assertThat(error.code()).isEmpty();
                    assertThat(error).hasMessageContaining("boom");
                });
    }

    @Test
    void clientErrorStatusIsANonRetryableRequestError() {
        server.failHttp(400, 1);
        assertThatThrownBy(() -> client.query("messages:list", Map.of()))
                .isInstanceOfSatisfying(ConvexException.RequestError.class, error -> {
                    assertThat(error.status()).isEqualTo(400);
                    assertThat(error.code()).isEqualTo("BadRequest");
                    assertThat(error.retryable()).isFalse();
                });
        assertThat(client.query("messages:list", Map.of("limit", 1L))).isNotNull();
    }

    @Test
    void serverErrorStatusIsARetryableRequestError() {
        server.failHttp(503, 1);
        assertThatThrownBy(() -> client.mutation("messages:send", Map.of()))
                .isInstanceOfSatisfying(ConvexException.RequestError.class, error -> {
                    assertThat(error.status()).isEqualTo(503);
                    assertThat(error.retryable()).isTrue();
                });
    }

    @Test
    void unreachableServerIsARetryableTransportError() throws IOException {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            freePort = socket.getLocalPort();
        }
        ConvexHttpClient unreachable = new ConvexHttpClient(http, "http://127.0.0.1:" + freePort, "java-0.1.0");
        assertThatThrownBy(() -> unreachable.query("messages:list", Map.of()))
                .isInstanceOfSatisfying(ConvexException.TransportError.class, error -> assertThat(error.retryable()).isTrue());
    }

    @Test
    void requestBodyIsConvexEncodedJson() throws InterruptedException, IOException {
        try (MockWebServer raw = new MockWebServer()) {
            raw.enqueue(new MockResponse.Builder().code(200).body("{\"status\":\"success\",\"value\":null}").build());
            raw.start();
            new ConvexHttpClient(http, raw.url("/").toString().replaceAll("/$", ""), "java-1.2.3")
                    .mutation("messages:send", Map.of("n", 5L, "b", "x"));
            RecordedRequest request = raw.takeRequest();
            assertThat(request.getUrl().encodedPath()).isEqualTo("/api/mutation");
            assertThat(request.getHeaders().get("Convex-Client")).isEqualTo("java-1.2.3");
            assertThat(request.getBody().utf8()).isEqualTo(
                    "{\"path\":\"messages:send\",\"format\":\"convex_encoded_json\",\"args\":[{\"b\":\"x\",\"n\":{\"$integer\":\"BQAAAAAAAAA=\"}}]}");
        }
    }

    @Test
    void status560IsAFunctionFailureAndPlainTextErrorsAreRequestErrors() throws IOException {
        try (MockWebServer raw = new MockWebServer()) {
            raw.enqueue(new MockResponse.Builder().code(560)
                    .body("{\"status\":\"error\",\"errorMessage\":\"Server Error\",\"errorData\":{\"code\":\"X\"}}").build());
            raw.enqueue(new MockResponse.Builder().code(502).body("Bad Gateway").build());
            raw.enqueue(new MockResponse.Builder().code(200).body("not json").build());
            raw.start();
            ConvexHttpClient rawClient = new ConvexHttpClient(http, raw.url("/").toString().replaceAll("/$", ""), "java-1.2.3");
            assertThatThrownBy(() -> rawClient.query("a:b", Map.of()))
                    .isInstanceOfSatisfying(ConvexException.FunctionError.class, error -> assertThat(error.code()).contains("X"));
            assertThatThrownBy(() -> rawClient.query("a:b", Map.of()))
                    .isInstanceOfSatisfying(ConvexException.RequestError.class, error -> {
                        assertThat(error.code()).isEqualTo("HttpError");
                        assertThat(error.retryable()).isTrue();
                    });
            assertThatThrownBy(() -> rawClient.query("a:b", Map.of())).isInstanceOf(ConvexException.RequestError.class);
        }
    }
}
