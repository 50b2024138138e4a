package dev.vigil.server.scrape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.server.ServerOptions;
import dev.vigil.server.VigilServer;
import dev.vigil.testkit.Await;
import dev.vigil.testkit.Exporter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server scraping the distribution's node exporter (and a target where nothing listens): the host's
 * resources per minute and every target's health in the API, checked against what the kernel says.
 */
class ScrapeTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Exporter exporter;
    VigilServer server;
    final HttpClient http = HttpClient.newHttpClient();
    String deadUrl;
    String yaml;

    @BeforeEach
    void start() throws Exception {
        exporter = Exporter.node();
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        deadUrl = "http://127.0.0.1:" + closed + "/metrics";
        yaml = "scrape:\n  interval: 1s\n  targets:\n"
                + "    - {url: \"" + exporter.metrics() + "\", host: lab-host, labels: {dc: test}}\n"
                + "    - {url: \"" + deadUrl + "\", host: gone}\n";
        server = VigilServer.start(ServerOptions.defaults(dir).withPort(0).withBindAddress("127.0.0.1")
                .withConfig(ConfigLoader.parse(yaml, "vigil.yaml")));
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (exporter != null) {
            exporter.close();
        }
    }

    JsonNode get(String path, int status) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    @Test
    void aProcessExporterGivesEachServiceWhatItUsesOfItsHost() throws Exception {
        server.close();
        try (Exporter processes = Exporter.process("java")) {
            // The JVMs on this machine (this test's among them) are one group, "java", here the service test-jvm.
            server = VigilServer.start(ServerOptions.defaults(dir).withPort(0).withBindAddress("127.0.0.1")
                    .withConfig(ConfigLoader.parse("scrape:\n  interval: 1s\n  targets:\n    - {url: \"" + processes.metrics()
                            + "\", host: jvm-host}\nestate:\n  processGroups: {java: test-jvm}\n", "vigil.yaml")));
            JsonNode footprints = Await.until("the JVMs' footprint (two scrapes)", () -> get("/api/v1/footprints?minutes=5", 200),
                    f -> f.get("services").size() == 1 && f.at("/services/0/cores").isNumber()
                            && f.at("/services/0/cores").asDouble() > 0);
            JsonNode jvm = footprints.at("/services/0");
            assertThat(jvm.get("service").asText()).isEqualTo("test-jvm");
            assertThat(jvm.get("groups")).extracting(JsonNode::asText).containsExactly("java");
            assertThat(jvm.get("hosts")).extracting(JsonNode::asText).containsExactly("jvm-host");
            assertThat(jvm.get("residentBytes").asDouble()).as("a JVM's resident memory").isGreaterThan(20e6);
            assertThat(jvm.get("cores").asDouble()).as("at most every core of this machine")
                    .isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors() * 1.05);
            // A process exporter's scrape says nothing of the host itself: no host minutes come of it.
            JsonNode hosts = get("/api/v1/hosts", 200);
            JsonNode jvmHost = null;
            for (JsonNode h : hosts.get("hosts")) {
                jvmHost = h.get("host").asText().equals("jvm-host") ? h : jvmHost;
            }
            assertThat(jvmHost).as(hosts.toString()).isNotNull();
            assertThat(jvmHost.get("latest").isNull()).as(jvmHost.toString()).isTrue();
            assertThat(jvmHost.get("services").toString()).as("the services the Hosts page lists")
                    .isEqualTo("[{\"service\":\"test-jvm\",\"knownFrom\":\"process metrics\"}]");
            // Its measured group places the service on the host, so its page shows the host beside it.
            JsonNode aligned = get("/api/v1/alignment/test-jvm?minutes=60", 200);
            assertThat(aligned.get("hosts").toString()).isEqualTo("[{\"host\":\"jvm-host\",\"knownFrom\":\"process metrics\"}]");
        }
    }

    @Test
    void servicesNoProcessExporterMeasuresGetTheirHostsUseSharedByTheirDeclaredWeightsAndSaidToBeAnEstimate()
            throws Exception {
        server.close();
        server = VigilServer.start(ServerOptions.defaults(dir).withPort(0).withBindAddress("127.0.0.1")
                .withConfig(ConfigLoader.parse("scrape:\n  interval: 1s\n  targets:\n    - {url: \"" + exporter.metrics()
                        + "\", host: lab-host, labels: {service: \"reports, audit\"}}\n"
                        + "estate:\n  weights: {reports: 3}\n", "vigil.yaml")));
        JsonNode footprints = Await.until("the estimated footprints (two scrapes)", () -> get("/api/v1/footprints?minutes=5", 200),
                f -> f.get("services").size() == 2 && f.at("/services/0/minutes/0/cores").isNumber());
        JsonNode audit = footprints.at("/services/0");
        JsonNode reports = footprints.at("/services/1");
        assertThat(audit.get("service").asText()).isEqualTo("audit");
        assertThat(reports.get("service").asText()).isEqualTo("reports");
        for (JsonNode s : List.of(audit, reports)) {
            assertThat(s.get("method").asText()).isEqualTo("estimated");
            assertThat(s.get("estimate").asText()).contains("declared weights");
            assertThat(s.get("groups")).isEmpty();
            assertThat(s.get("hosts")).extracting(JsonNode::asText).containsExactly("lab-host");
            assertThat(s.at("/minutes/0/diskBytesPerSecond").isNull()).as("a host's busy time says nothing of bytes").isTrue();
        }
        // One response, one host minute: reports takes three times audit's share, together the host's busy cores.
        double a = audit.at("/minutes/0/cores").asDouble();
        double r = reports.at("/minutes/0/cores").asDouble();
        assertThat(r).isCloseTo(3 * a, within(0.003));
        assertThat(a + r).isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors() * 1.05);
        assertThat(reports.at("/minutes/0/residentBytes").asDouble())
                .isCloseTo(3 * audit.at("/minutes/0/residentBytes").asDouble(), within(4.0));
        assertThat(get("/api/v1/hosts/lab-host", 200).get("services").toString()).isEqualTo(
                "[{\"service\":\"audit\",\"knownFrom\":\"scrape label\"},{\"service\":\"reports\",\"knownFrom\":\"scrape label\"}]");
    }

    @Test
    void aScrapedNodeExporterGivesItsHostsResourcesPerMinuteAndEveryTargetItsHealth() throws Exception {
        JsonNode hosts = Await.until("lab-host's CPU utilisation (two scrapes)", () -> get("/api/v1/hosts", 200),
                h -> h.at("/hosts/1/host").asText().equals("lab-host") && h.at("/hosts/1/latest/cpuUtilisation").isNumber());
        JsonNode latest = hosts.at("/hosts/1/latest");
        assertThat(hosts.get("hosts")).hasSize(2);
        assertThat(hosts.at("/hosts/0/host").asText()).as("a host whose target never answered is listed too").isEqualTo("gone");
        assertThat(hosts.at("/hosts/0/up").asBoolean()).isFalse();
        assertThat(hosts.at("/hosts/0/latest").isNull()).isTrue();
        assertThat(hosts.at("/hosts/1/up").asBoolean()).isTrue();
        assertThat(latest.get("cpuUtilisation").asDouble()).isBetween(0.0, 1.0);
        assertThat(latest.get("cpus").asInt()).isEqualTo(cpusOfThisMachine());
        assertThat(latest.get("memoryTotalBytes").asLong()).as("MemTotal of /proc/meminfo").isEqualTo(memTotalBytes());
        assertThat(latest.get("memoryUtilisation").asDouble()).isBetween(0.0, 1.0);
        assertThat(latest.get("loadPerCore").asDouble()).isGreaterThanOrEqualTo(0.0);
        assertThat(latest.get("filesystemFree").asDouble()).isBetween(0.0, 1.0);
        assertThat(latest.has("networkBytesPerSecond")).isTrue();

        JsonNode scrapes = Await.until("the dead target to be tried", () -> get("/api/v1/scrapes", 200),
                s -> s.at("/targets/1/scrapes").asLong() > 0);
        JsonNode up = scrapes.at("/targets/0");
        assertThat(up.get("url").asText()).isEqualTo(exporter.metrics().toString());
        assertThat(up.get("up").asBoolean()).isTrue();
        assertThat(up.get("samples").asInt()).isGreaterThan(100);
        assertThat(up.get("refusedLines").asInt()).isZero();
        assertThat(up.get("lastError").isNull()).isTrue();
        assertThat(up.at("/labels/dc").asText()).isEqualTo("test");
        assertThat(up.get("durationMs").asDouble()).isPositive();
        JsonNode dead = scrapes.at("/targets/1");
        assertThat(dead.get("url").asText()).isEqualTo(deadUrl);
        assertThat(dead.get("up").asBoolean()).isFalse();
        assertThat(dead.get("lastError").asText()).isEqualTo("connection refused: nothing listens at the target's address");
        assertThat(dead.get("failures").asLong()).isEqualTo(dead.get("scrapes").asLong());

        JsonNode minutes = get("/api/v1/hosts/lab-host", 200);
        assertThat(minutes.get("minutes")).isNotEmpty();
        JsonNode gone = get("/api/v1/hosts/gone", 200);
        assertThat(gone.get("up").asBoolean()).isFalse();
        assertThat(gone.get("minutes")).isEmpty();
        assertThat(get("/api/v1/hosts/nosuch", 404).get("detail").asText()).contains("GET /api/v1/scrapes");
        assertThat(get("/api/v1/hosts?minutes=5", 400).get("detail").asText()).contains("unknown parameter \"minutes\"");
        assertThat(get("/api/v1/scrapes?x=1", 400).get("detail").asText()).contains("takes none");
    }

    @Test
    void aRestartKeepsTheHostsMinutesAndGoesOnFillingTheCurrentOne() throws Exception {
        JsonNode before = Await.until("lab-host's first minute", () -> get("/api/v1/hosts/lab-host", 200),
                h -> h.get("minutes").size() > 0 && h.at("/minutes/0/cpuUtilisation").isNumber());
        String minute = before.at("/minutes/0/minute").asText();
        int scrapes = before.at("/minutes/0/scrapes").asInt();
        server.close();
        server = null;
        server = VigilServer.start(ServerOptions.defaults(dir).withPort(0).withBindAddress("127.0.0.1")
                .withConfig(ConfigLoader.parse(yaml, "vigil.yaml")));
        JsonNode after = get("/api/v1/hosts/lab-host", 200);
        JsonNode kept = null;
        for (JsonNode m : after.get("minutes")) {
            if (m.get("minute").asText().equals(minute)) {
                kept = m;
            }
        }
        assertThat(kept).as("minute %s after the restart, in %s", minute, after).isNotNull();
        assertThat(kept.get("scrapes").asInt()).isGreaterThanOrEqualTo(scrapes);
        assertThat(kept.get("cpuUtilisation").isNumber()).isTrue();
    }

    static int cpusOfThisMachine() throws Exception {
        // node_exporter counts the CPUs of /proc/stat ("cpu0", "cpu1", ...)
        return (int) Files.readAllLines(Path.of("/proc/stat")).stream().filter(l -> l.matches("cpu\\d+ .*")).count();
    }

    static long memTotalBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new AssertionError("no MemTotal in /proc/meminfo");
    }
}
