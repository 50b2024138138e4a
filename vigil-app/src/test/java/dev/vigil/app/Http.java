package dev.vigil.app;

import dev.vigil.testkit.Await;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A plain HTTP client of the public API. */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static JsonNode get(URI base, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " -> " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** POSTs NDJSON events to /ingest/events; the answer (accepted, firstSeq, rejected), or an exception unless 200. */
    static JsonNode postEvents(URI base, String ndjson) throws IOException, InterruptedException {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(base.resolve("/ingest/events")).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("POST /ingest/events -> " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** GETs a path until its answer passes; fails after {@link Await#PATIENCE} with the last answer seen. */
    static JsonNode await(URI base, String path, java.util.function.Predicate<JsonNode> done) throws InterruptedException {
        return await(base, path, Await.PATIENCE, done);
    }

    static JsonNode await(URI base, String path, Duration patience, java.util.function.Predicate<JsonNode> done)
            throws InterruptedException {
        return Await.until("GET " + path + " to pass", patience, () -> get(base, path), done);
    }

    /** Every stored event, paging with the cursor. */
    static List<JsonNode> allEvents(URI base) throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = get(base, "/api/v1/events?limit=10000"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            page.get("events").forEach(out::add);
            cursor = page.get("next").isNull() ? null : page.get("next").asText();
        } while (cursor != null);
        return out;
    }

    private Http() {
    }
}
