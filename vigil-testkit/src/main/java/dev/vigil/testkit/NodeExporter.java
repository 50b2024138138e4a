package dev.vigil.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The distribution's Prometheus node exporter as a child process on a free loopback port, for tests that
 * scrape a real one. {@code ./vigil test} installs it when missing and says where in {@code VIGIL_NODE_EXPORTER}.
 */
public final class NodeExporter implements AutoCloseable {

    /** Where it is: VIGIL_NODE_EXPORTER, else the Debian package's path. */
    public static final Path BINARY = Path.of(System.getenv().getOrDefault("VIGIL_NODE_EXPORTER",
            "/usr/bin/prometheus-node-exporter"));

    private final Process process;
    private final URI metrics;

    private NodeExporter(Process process, URI metrics) {
        this.process = process;
        this.metrics = metrics;
    }

    /** Starts it and waits until it answers. */
    public static NodeExporter start() throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install the distribution's node exporter "
                    + "(apt-get install prometheus-node-exporter; ./vigil test does it) or set VIGIL_NODE_EXPORTER");
        }
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Process p = new ProcessBuilder(BINARY.toString(), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        NodeExporter exporter = new NodeExporter(p, URI.create("http://127.0.0.1:" + port + "/metrics"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Await.until("node_exporter to answer on " + exporter.metrics, () -> {
            if (!p.isAlive()) {
                return "exited with " + p.exitValue();
            }
            try {
                return http.send(HttpRequest.newBuilder(exporter.metrics).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
            } catch (IOException e) {
                return e.toString();
            }
        }, status -> status.equals(200) || status instanceof String s && s.startsWith("exited"));
        if (!p.isAlive()) {
            throw new IllegalStateException("node_exporter exited at once (" + p.exitValue() + "); is port " + port + " taken?");
        }
        return exporter;
    }

    /** Its /metrics URL. */
    public URI metrics() {
        return metrics;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
