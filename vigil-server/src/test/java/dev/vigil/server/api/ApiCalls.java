package dev.vigil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.testkit.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Predicate;

/** The server's HTTP API as the tests use it: events posted and taken, JSON read, a state waited for. */
final class ApiCalls {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private ApiCalls() {
    }

    /** Posts NDJSON events; anything but 200 fails the test, with the server's answer. */
    static void postEvents(URI base, String ndjson) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve("/ingest/events"))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    static HttpResponse<String> send(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GETs a path that must answer 200, as JSON. */
    static JsonNode get(URI base, String path) throws Exception {
        HttpResponse<String> r = send(base, path);
        assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /**
     * GETs a path until its answer is 200 and passes; fails after {@link Await#PATIENCE} with the last answer. Not yet
     * 200 is a state too: a KPI series is a 404 until its first window is written.
     */
    static JsonNode await(URI base, String path, Predicate<JsonNode> until) throws Exception {
        return Await.until("GET " + path + " to pass", () -> {
            HttpResponse<String> r = send(base, path);
            if (r.statusCode() != 200) {
                throw new java.io.IOException(path + " -> " + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body());
        }, until);
    }
}
