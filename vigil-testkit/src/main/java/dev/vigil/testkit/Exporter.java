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
 * One of the distribution's Prometheus exporters (the node exporter, the process exporter) as a child process on a
 * free loopback port, for tests that scrape a real one. {@code ./vigil test} installs them when missing and says
 * where in {@code VIGIL_NODE_EXPORTER} and {@code VIGIL_PROCESS_EXPORTER}.
 */
public final class Exporter implements AutoCloseable {

    /** Where the node exporter is: VIGIL_NODE_EXPORTER, else the Debian package's path. */
    public static final Path NODE = Path.of(System.getenv().getOrDefault("VIGIL_NODE_EXPORTER",
            "/usr/bin/prometheus-node-exporter"));
    /** Where the process exporter is: VIGIL_PROCESS_EXPORTER, else the Debian package's path. */
    public static final Path PROCESS = Path.of(System.getenv().getOrDefault("VIGIL_PROCESS_EXPORTER",
            "/usr/bin/prometheus-process-exporter"));

    private final Process process;
    private final URI metrics;

    private Exporter(Process process, URI metrics) {
        this.process = process;
        this.metrics = metrics;
    }

    /** Starts the node exporter and waits until it answers. */
    public static Exporter node() throws IOException, InterruptedException {
        return start(NODE, "prometheus-node-exporter", "VIGIL_NODE_EXPORTER", port -> java.util.List.of(
                "--web.listen-address=127.0.0.1:" + port));
    }

    /** Starts the process exporter, grouping the processes of these names (comm), and waits until it answers. */
    public static Exporter process(String procnames) throws IOException, InterruptedException {
        return start(PROCESS, "prometheus-process-exporter", "VIGIL_PROCESS_EXPORTER", port -> java.util.List.of(
                "-procnames", procnames, "-threads=false", "-gather-smaps=false", "-web.listen-address", "127.0.0.1:" + port));
    }

    private static Exporter start(Path binary, String pkg, String env, java.util.function.IntFunction<java.util.List<String>> args)
            throws IOException, InterruptedException {
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(binary + " is missing: install the distribution's " + pkg
                    + " (apt-get install " + pkg + "; ./vigil test does it) or set " + env);
        }
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        java.util.List<String> command = new java.util.ArrayList<>();
        command.add(binary.toString());
        command.addAll(args.apply(port));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Exporter exporter = new Exporter(p, URI.create("http://127.0.0.1:" + port + "/metrics"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Await.until(pkg + " to answer on " + exporter.metrics, () -> {
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
            throw new IllegalStateException(pkg + " exited at once (" + p.exitValue() + "); is port " + port + " taken?");
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
