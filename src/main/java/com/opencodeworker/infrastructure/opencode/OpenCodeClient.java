package com.opencodeworker.infrastructure.opencode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.opencodeworker.domain.port.AssistantException;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/**
 * The HTTP client of one {@code opencode serve} (v1 API): sessions, prompts, abort, history,
 * permission and question answers, and the event stream. Every request carries Basic auth. No
 * retries: the server is local, and a failed call means it is gone or broken. Thread-safe.
 */
final class OpenCodeClient implements TurnSource {
    private static final MediaType JSON = MediaType.get("application/json");

    private final HttpUrl base;
    private final OkHttpClient http;
    private final OkHttpClient events;
    private final ObjectMapper json;

    OpenCodeClient(OkHttpClient shared, HttpUrl base, ServerCredentials credentials, ObjectMapper json,
                   Duration requestTimeout) {
        this.base = base;
        this.json = json;
        String authorization = credentials.authorizationHeader();
        this.http = shared.newBuilder()
                .addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
                        .header("Authorization", authorization).build()))
                .callTimeout(requestTimeout)
                .readTimeout(requestTimeout)
                .build();
        // No read timeout on the event stream: EventStream notices silence itself (a read timeout wakes
        // Okio's watchdog thread for every event read).
        this.events = http.newBuilder().callTimeout(Duration.ZERO).readTimeout(Duration.ZERO).build();
    }

    JsonNode createSession(String title) {
        ObjectNode body = json.createObjectNode().put("title", title);
        return send("POST", "session", body).orElseThrow();
    }

    /** The session, or empty when OpenCode does not know it (404). */
    Optional<JsonNode> getSession(String sessionId) {
        try {
            return send("GET", "session/" + sessionId, null);
        } catch (OpenCodeHttpException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    JsonNode listSessions() {
        return send("GET", "session", null).orElseThrow();
    }

    void promptAsync(String sessionId, String messageId, String text, Optional<ModelRef> model) {
        ObjectNode body = json.createObjectNode().put("messageID", messageId);
        body.putArray("parts").addObject().put("type", "text").put("text", text);
        model.ifPresent(ref -> body.putObject("model").put("providerID", ref.provider()).put("modelID", ref.model()));
        send("POST", "session/" + sessionId + "/prompt_async", body);
    }

    @Override
    public void abort(String sessionId) {
        send("POST", "session/" + sessionId + "/abort", json.createObjectNode());
    }

    @Override
    public JsonNode messages(String sessionId) {
        return send("GET", "session/" + sessionId + "/message", null).orElseThrow();
    }

    @Override
    public JsonNode recentMessages(String sessionId, int limit) {
        String path = "session/" + sessionId + "/message";
        HttpUrl url = base.newBuilder().addPathSegments(path).addQueryParameter("limit", Integer.toString(limit)).build();
        return send("GET", url, path + "?limit=" + limit, null).orElseThrow();
    }

    @Override
    public boolean isBusy(String sessionId) {
        JsonNode status = sessionStatus().path(sessionId);
        return !status.isMissingNode() && !"idle".equals(status.path("type").asText());
    }

    /** {@code {"ses_...": {"type": "busy" | "retry"}}}; idle sessions are absent. */
    JsonNode sessionStatus() {
        return send("GET", "session/status", null).orElseThrow();
    }

    JsonNode providers() {
        return send("GET", "config/providers", null).orElseThrow();
    }

    JsonNode pendingPermissions() {
        return send("GET", "permission", null).orElseThrow();
    }

    JsonNode pendingQuestions() {
        return send("GET", "question", null).orElseThrow();
    }

    void replyPermission(String requestId, boolean allow, Optional<String> message) {
        ObjectNode body = json.createObjectNode().put("reply", allow ? "once" : "reject");
        message.ifPresent(text -> body.put("message", text));
        send("POST", "permission/" + requestId + "/reply", body);
    }

    void rejectQuestion(String requestId) {
        send("POST", "question/" + requestId + "/reject", json.createObjectNode());
    }

    /** Opens {@code GET /event}; events arrive on OkHttp's reader thread. */
    EventSource openEvents(EventSourceListener listener) {
        Request request = new Request.Builder().url(base.newBuilder().addPathSegment("event").build())
                .header("Accept", "text/event-stream").build();
        return EventSources.createFactory(events).newEventSource(request, listener);
    }

    private Optional<JsonNode> send(String method, String path, JsonNode body) {
        return send(method, base.newBuilder().addPathSegments(path).build(), path, body);
    }

    private Optional<JsonNode> send(String method, HttpUrl url, String path, JsonNode body) {
        String what = method + " /" + path;
        RequestBody requestBody = body == null ? null : RequestBody.create(write(body), JSON);
        Request request = new Request.Builder().url(url).method(method, requestBody).build();
        try (Response response = http.newCall(request).execute()) {
            ResponseBody responseBody = response.body();
            String text = responseBody == null ? "" : responseBody.string();
            if (!response.isSuccessful()) {
                throw new OpenCodeHttpException(what, response.code(), text);
            }
            return text.isBlank() ? Optional.empty() : Optional.of(json.readTree(text));
        } catch (JsonProcessingException e) {
            throw new AssistantException("OpenCode answered " + what + " with invalid JSON: " + e.getOriginalMessage(),
                    e);
        } catch (IOException e) {
            throw new AssistantException("OpenCode did not answer " + what + ": " + e.getMessage(), e);
        }
    }

    private String write(JsonNode body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a request body", e);
        }
    }
}
