package dev.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.event.Timestamps;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, for real: the data folder on a small tmpfs, filled until nothing fits, posts refused, space freed,
 * posts acknowledged again under load, SIGKILL, restart. Every acknowledged event must be there exactly once,
 * readiness must say the store is stuck while it is, refusals must be 503 with Retry-After, and SIGTERM must end
 * in bounded time even while the disk is full. Needs root to mount the tmpfs (the store's own tests cover the
 * same logic with injected faults where root is missing).
 */
class DiskFullIT {

    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path tmp;
    private Path mount;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        mount = tmp.resolve("disk");
        Files.createDirectories(mount);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        boolean mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        assumeTrue(mounted, "cannot mount a tmpfs here (needs root): " + out);
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFullDiskNeitherLosesNorDuplicatesAcknowledgedEvents() throws Exception {
        Path data = mount.resolve("data");
        Path filler = mount.resolve("filler");
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicLong ids = new AtomicLong();
        Random random = new Random();

        try (VigilProcess vigil = serve(data)) {
            post(vigil.url, "before", 2000, ids, acked);
            assertThat(acked).hasSize(2000);

            fill(filler);
            List<String> refusals = new ArrayList<>();
            awaitCondition("a post refused with 503 and Retry-After while the disk is full", () -> {
                String body = batch("full", 50, ids);
                HttpResponse<String> r = send(vigil.url, body);
                if (r.statusCode() == 200) {
                    acked.addAll(idsOf(body)); // space the journal still had: acknowledged, so it must survive
                    return "accepted: " + r.body();
                }
                refusals.add(r.statusCode() + " " + r.body());
                return r.statusCode() == 503 && r.headers().firstValue("retry-after").isPresent() ? null
                        : "answered " + r.statusCode() + " " + r.headers().map() + " " + r.body();
            });
            assertThat(refusals).as("refusals while full").allMatch(s -> s.startsWith("503"));
            awaitCondition("/ready says the store is stuck", () -> {
                HttpResponse<String> r = get(vigil.url, "/ready");
                return r.statusCode() == 503 ? null : "/ready answered " + r.statusCode() + " " + r.body();
            });

            // Spans over OTLP get the same refusal, in OTLP's terms (exporters retry 503 after Retry-After). The
            // journal may take a request now and then while the disk is full; what it takes must survive.
            awaitCondition("an OTLP post refused with 503, Retry-After and UNAVAILABLE while the disk is full", () -> {
                String spanId = String.format("%016x", ids.incrementAndGet());
                HttpResponse<String> r = Http.CLIENT.send(HttpRequest.newBuilder(vigil.url.resolve("/v1/traces"))
                        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(oneSpan(spanId))).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    acked.add("span:" + spanId);
                    return "accepted: " + r.body();
                }
                JsonNode status = Http.JSON.readTree(r.body());
                return r.statusCode() == 503 && r.headers().firstValue("retry-after").isPresent()
                        && status.get("code").asInt() == 14 && status.get("message").asText().contains("nothing of this request was stored")
                        ? null : "answered " + r.statusCode() + " " + r.headers().map() + " " + r.body();
            });

            HttpResponse<String> status = get(vigil.url, "/api/v1/status");
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(Http.JSON.readTree(status.body()).get("status").asText()).as(status.body()).isEqualTo("stuck");
            assertThat(status.body()).contains("No space left");

            // Where users look: the dashboard says Vigil itself is stuck, so an empty minute is not read as an
            // incident in the estate; once space is back the line goes away by itself.
            try (Browser browser = Browser.start()) {
                browser.driver.get(vigil.url + "/");
                awaitCondition("the dashboard to say Vigil is stuck", () -> {
                    String line = selfLine(browser);
                    return line.contains("cannot keep up") && line.contains("No space left") ? null : "status line: " + line;
                });
                Files.delete(filler);
                awaitCondition("the dashboard's status line to clear once space is back", () -> {
                    String line = selfLine(browser);
                    return line.equals("(hidden)") ? null : "status line: " + line;
                });
            }
            awaitCondition("/ready again once space is back", () -> {
                HttpResponse<String> r = get(vigil.url, "/ready");
                return r.statusCode() == 200 ? null : "/ready answered " + r.statusCode() + " " + r.body();
            });
            awaitCondition("the status line to clear", () -> {
                HttpResponse<String> r = get(vigil.url, "/api/v1/status");
                return Http.JSON.readTree(r.body()).get("status").asText().equals("ok") ? null : r.body();
            });
            awaitCondition("reads work again without a restart", () -> {
                HttpResponse<String> r = get(vigil.url, "/api/v1/stats");
                return r.statusCode() == 200 && Http.JSON.readTree(r.body()).get("stored").asLong() >= acked.size()
                        ? null : "/api/v1/stats answered " + r.statusCode() + " " + r.body();
            });

            postUnderLoadThenKill(vigil, "after", ids, acked, 1000 + random.nextInt(1500));
        }

        try (VigilProcess vigil = serve(data)) {
            assertExactlyOnce(vigil.url, acked);
            // Full again, then SIGTERM: it must end in bounded time and say what it left for the next start.
            fill(filler);
            awaitCondition("a post refused while the disk is full again", () -> {
                String body = batch("full2", 50, ids);
                HttpResponse<String> r = send(vigil.url, body);
                if (r.statusCode() == 200) {
                    acked.addAll(idsOf(body));
                    return "accepted";
                }
                return null;
            });
            int before = vigil.output().size();
            int exit = vigil.terminate();
            assertThat(exit).as("exit code of SIGTERM with a full disk").isIn(0, 1);
            // The process has ended; its last lines may still be on their way through the pipe.
            awaitCondition("the stop to say where the acknowledged events are", () -> {
                List<String> all = vigil.output();
                List<String> said = all.subList(before, all.size());
                return said.stream().anyMatch(l -> l.contains("every acknowledged event") || l.contains("next start"))
                        ? null : "exit " + exit + ", " + before + " lines before the stop, " + all.size()
                        + " in all; the last: " + all.subList(Math.max(0, all.size() - 15), all.size());
            });
        }
        Files.delete(filler);

        try (VigilProcess vigil = serve(data)) {
            assertExactlyOnce(vigil.url, acked);
        }
        assertThat(acked.size()).isGreaterThan(3000);
    }

    private static VigilProcess serve(Path data) throws Exception {
        return VigilProcess.start("serve", "--port", "0", "--bind", "127.0.0.1", "--data", data.toString());
    }

    /** Writes zeros until the file system refuses: the disk is full. */
    private static void fill(Path filler) throws IOException {
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            // expected: no space left on device
        }
        // Fill the last partial block too.
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
            for (int i = 0; i < 1 << 20; i++) {
                out.write(0);
            }
        } catch (IOException full) {
            // expected
        }
    }

    private static void postUnderLoadThenKill(VigilProcess vigil, String prefix, AtomicLong ids, Set<String> acked,
                                              long millis) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger okPosts = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            clients.add(Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    try {
                        String body = batch(prefix, 50, ids);
                        HttpResponse<String> r = send(vigil.url, body);
                        if (r.statusCode() == 200 && Http.JSON.readTree(r.body()).get("accepted").asInt() == 50) {
                            acked.addAll(idsOf(body));
                            okPosts.incrementAndGet();
                        }
                    } catch (Exception e) {
                        if (stop.get()) {
                            return;
                        }
                    }
                }
            }));
        }
        // Some acknowledged posts first (however slow the machine), then SIGKILL at a random moment after.
        awaitCondition("posts acknowledged after space came back", () -> okPosts.get() >= 20 ? null : okPosts.get() + " acknowledged");
        Thread.sleep(millis);
        vigil.kill();
        stop.set(true);
        for (Thread t : clients) {
            t.join();
        }
    }

    private static void post(URI url, String prefix, int n, AtomicLong ids, Set<String> acked) throws Exception {
        for (int i = 0; i < n; i += 100) {
            String body = batch(prefix, 100, ids);
            HttpResponse<String> r = send(url, body);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            acked.addAll(idsOf(body));
        }
    }

    private static String batch(String prefix, int n, AtomicLong ids) {
        StringBuilder body = new StringBuilder();
        String now = Timestamps.format(Timestamps.toMicros(Instant.now()));
        for (int i = 0; i < n; i++) {
            body.append("{\"time\":\"").append(now).append("\",\"source\":\"disk-test\",\"name\":\"Post\",")
                    .append("\"correlation\":{\"eid\":\"").append(prefix).append('-').append(ids.incrementAndGet())
                    .append("\"},\"attributes\":{\"pad\":\"").append("x".repeat(200)).append("\"}}\n");
        }
        return body.toString();
    }

    private static List<String> idsOf(String body) {
        List<String> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            int at = line.indexOf("\"eid\":\"") + 7;
            out.add(line.substring(at, line.indexOf('"', at)));
        }
        return out;
    }

    /** One OTLP/JSON span that ended now. */
    private static String oneSpan(String spanId) {
        long end = System.currentTimeMillis() * 1_000_000L;
        return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
                + "{\"stringValue\":\"checkout\"}}]},\"scopeSpans\":[{\"spans\":[{\"traceId\":"
                + "\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"" + spanId + "\",\"name\":\"GET /x\","
                + "\"kind\":2,\"startTimeUnixNano\":\"" + (end - 1_000_000) + "\",\"endTimeUnixNano\":\"" + end
                + "\"}]}]}]}";
    }

    private static HttpResponse<String> send(URI url, String ndjson) throws IOException, InterruptedException {
        return Http.CLIENT.send(HttpRequest.newBuilder(url.resolve("/ingest/events")).timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(URI url, String path) throws IOException, InterruptedException {
        return Http.CLIENT.send(HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertExactlyOnce(URI url, Set<String> acked) throws Exception {
        Map<String, Integer> seen = new HashMap<>();
        for (JsonNode e : Http.allEvents(url)) {
            // an NDJSON event by its eid, a span (OTLP) by its span id
            String id = e.at("/correlation/eid").isMissingNode() ? "span:" + e.at("/attributes/spanId").asText()
                    : e.at("/correlation/eid").asText();
            seen.merge(id, 1, Integer::sum);
        }
        List<String> missing = acked.stream().filter(id -> !seen.containsKey(id)).sorted().toList();
        assertThat(missing).as("acknowledged events missing (" + missing.size() + " of " + acked.size() + ")")
                .isEmpty();
        List<String> twice = seen.entrySet().stream().filter(en -> en.getValue() > 1)
                .map(en -> en.getKey() + " x" + en.getValue()).limit(20).toList();
        assertThat(twice).as("events stored more than once").isEmpty();
        assertThat(Http.get(url, "/api/v1/stats").get("stored").asLong()).isEqualTo(seen.size());
    }

    /** A check that returns null when the condition holds, or what it saw instead. */
    private interface Check {
        String lastSeen() throws Exception;
    }

    /** The dashboard's line about Vigil's own health, or "(hidden)". */
    private static String selfLine(Browser browser) {
        return String.valueOf(browser.driver.executeScript(
                "const e = document.getElementById('self'); return e.hidden ? '(hidden)' : e.textContent;"));
    }

    private static void awaitCondition(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        String last = "never checked";
        while (System.nanoTime() < deadline) {
            try {
                last = check.lastSeen();
            } catch (IOException e) {
                last = e.toString();
            }
            if (last == null) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("waited " + DEADLINE.toSeconds() + " s for " + what + "; last seen: " + last);
    }
}
