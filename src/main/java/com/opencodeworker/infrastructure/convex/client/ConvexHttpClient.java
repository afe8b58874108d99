package com.opencodeworker.infrastructure.convex.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Calls Convex functions over the HTTP API ({@code POST /api/query|mutation|action}) and maps the
 * answers to values or {@link ConvexException}s. No retries: {@link ConvexException#retryable()} says
 * whether the caller may try again. Thread-safe (OkHttp calls are independent).
 */
public final class ConvexHttpClient {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final int STATUS_UDF_FAILED = 560;
    private static final int MAX_ERROR_TEXT = 500;

    private final OkHttpClient http;
    private final String deploymentUrl;
    private final String clientVersion;

    public ConvexHttpClient(OkHttpClient http, String deploymentUrl, String clientVersion) {
        this.http = Objects.requireNonNull(http);
        this.deploymentUrl = Objects.requireNonNull(deploymentUrl);
        this.clientVersion = Objects.requireNonNull(clientVersion);
    }

    public Object query(String path, Map<String, ?> args) {
        return call("query", path, args);
    }

    /** Not idempotent: a mutation retried after a lost answer may run twice. */
    public Object mutation(String path, Map<String, ?> args) {
        return call("mutation", path, args);
    }

    public Object action(String path, Map<String, ?> args) {
        return call("action", path, args);
    }

    private Object call(String kind, String path, Map<String, ?> args) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("path", path);
        body.put("format", "convex_encoded_json");
        body.putArray("args").add(ConvexValues.encodeArgs(args));
        Request request = new Request.Builder()
                .url(deploymentUrl + "/api/" + kind)
                .header("Convex-Client", clientVersion)
                .post(RequestBody.create(ConvexValues.writeTree(body), JSON))
                .build();
        String text;
        int status;
        try (Response response = http.newCall(request).execute()) {
            status = response.code();
            ResponseBody responseBody = response.body();
            text = responseBody.string();
        } catch (IOException e) {
            throw new ConvexException.TransportError(kind + " " + path + " failed: " + e.getMessage(), e);
        }
        if (status == 200 || status == STATUS_UDF_FAILED) {
            return functionResult(kind, path, status, text);
        }
        throw requestError(status, text);
    }

    private static Object functionResult(String kind, String path, int status, String text) {
        JsonNode answer;
        try {
            answer = ConvexValues.readTree(text);
        } catch (IllegalArgumentException e) {
            throw new ConvexException.RequestError(status, "InvalidResponse", kind + " " + path + " answered non-JSON");
        }
        String outcome = answer.path("status").asText("");
        if ("success".equals(outcome)) {
            return ConvexValues.fromJson(answer.get("value"));
        }
        if ("error".equals(outcome)) {
            JsonNode data = answer.get("errorData");
            return throwFunctionError(answer.path("errorMessage").asText(""), data);
        }
        throw new ConvexException.RequestError(status, "InvalidResponse", kind + " " + path + " answered without a status");
    }

    private static Object throwFunctionError(String message, JsonNode data) {
        throw new ConvexException.FunctionError(message, data == null ? null : ConvexValues.fromJson(data));
    }

    private static ConvexException.RequestError requestError(int status, String text) {
        try {
            JsonNode error = ConvexValues.readTree(text);
            if (error.path("code").isTextual()) {
                return new ConvexException.RequestError(status, error.get("code").textValue(),
                        truncate(error.path("message").asText("")));
            }
        } catch (IllegalArgumentException notJson) {
            // fall through: the body is plain text (e.g. from a proxy)
        }
        return new ConvexException.RequestError(status, "HttpError", truncate(text));
    }

    private static String truncate(String text) {
        return text.length() <= MAX_ERROR_TEXT ? text : text.substring(0, MAX_ERROR_TEXT) + "…";
    }
}
