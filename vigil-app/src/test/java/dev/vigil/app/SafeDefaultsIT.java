package dev.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safe by default, as a user meets it: the real jar listens on loopback unless told otherwise and says so,
 * answers only requests addressed to one of its own names (DNS rebinding), sends the headers that protect the
 * dashboard and no version, keeps the lab's admin endpoints to local clients, and does not leave a copy of
 * DuckDB's native library behind at every SIGKILL.
 */
class SafeDefaultsIT {

    @TempDir
    Path dir;

    /** One raw HTTP/1.1 exchange, so the Host header is exactly what a browser misled by DNS would send. */
    private static String exchange(InetSocketAddress to, String host, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(to, 10_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }

    @Test
    void serveListensOnLoopbackByDefaultAndAnswersOnlyItsOwnNamesWithProtectiveHeaders() throws Exception {
        try (VigilProcess vigil = VigilProcess.start("serve", "--port", "0", "--data", dir.resolve("d").toString())) {
            assertThat(vigil.output()).anySatisfy(l -> assertThat(l).contains("listening on http://127.0.0.1:"));
            int port = vigil.url.getPort();
            InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", port);

            Optional<InetAddress> other = nonLoopbackAddress();
            if (other.isPresent()) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(other.get(), port), 5_000);
                    throw new AssertionError("a loopback-only server accepted a connection on " + other.get());
                } catch (IOException refused) {
                    // expected: nothing listens there
                }
            }

            String ok = exchange(loopback, "localhost:" + port, "/");
            assertThat(ok).startsWith("HTTP/1.1 200");
            String headers = ok.substring(0, ok.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT);
            assertThat(headers).contains("content-security-policy: default-src 'self'; script-src 'self'")
                    .contains("x-content-type-options: nosniff").contains("x-frame-options: deny")
                    .contains("referrer-policy: no-referrer").doesNotContain("server:").doesNotContain("armeria");
            assertThat(exchange(loopback, "127.0.0.1:" + port, "/health")).startsWith("HTTP/1.1 200");
            assertThat(exchange(loopback, "[::1]:" + port, "/health")).startsWith("HTTP/1.1 200");
            assertThat(exchange(loopback, "localhost.:" + port, "/health")).as("the fully qualified form").startsWith("HTTP/1.1 200");

            String rebound = exchange(loopback, "attacker.example:" + port, "/api/v1/events");
            assertThat(rebound).startsWith("HTTP/1.1 421").contains("host_not_allowed").contains("--allow-host");
        }
    }

    @Test
    void bindingEveryInterfaceIsSaidAndAllowedNamesAreAnswered() throws Exception {
        try (VigilProcess vigil = VigilProcess.start("serve", "--port", "0", "--bind", "0.0.0.0",
                "--allow-host", "vigil.internal", "--data", dir.resolve("d").toString())) {
            assertThat(vigil.output()).anySatisfy(l -> assertThat(l).contains("listening on http://0.0.0.0:")
                    .contains("every interface"));
            InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", vigil.url.getPort());
            assertThat(exchange(loopback, "vigil.internal", "/health")).startsWith("HTTP/1.1 200");
            assertThat(exchange(loopback, "VIGIL.internal:80", "/health")).startsWith("HTTP/1.1 200");
            assertThat(exchange(loopback, "elsewhere.example", "/health")).startsWith("HTTP/1.1 421");
            Optional<InetAddress> other = nonLoopbackAddress();
            if (other.isPresent()) {
                // The machine's own address, as a colleague's browser would send it.
                String host = other.get().getHostAddress() + ":" + vigil.url.getPort();
                assertThat(exchange(new InetSocketAddress(other.get(), vigil.url.getPort()), host, "/health"))
                        .startsWith("HTTP/1.1 200");
            }
        }
    }

    @Test
    void theLabServicesAdminEndpointsAnswerLoopbackClientsOnly() throws Exception {
        Optional<InetAddress> other = nonLoopbackAddress();
        org.junit.jupiter.api.Assumptions.assumeTrue(other.isPresent(), "no non-loopback address on this machine");
        try (VigilProcess lab = VigilProcess.start("lab", "service", "--port", "0", "--bind", "0.0.0.0")) {
            int port = lab.url.getPort();
            String remote = exchange(new InetSocketAddress(other.get(), port), "x", "/admin/reset");
            assertThat(remote).startsWith("HTTP/1.1 403").contains("loopback");
            assertThat(exchange(new InetSocketAddress("127.0.0.1", port), "x", "/admin/reset")).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aSigkilledServerDoesNotLeaveACopyOfTheNativeLibraryBehindForEachCrash() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        List<String> jvm = List.of("-Djava.io.tmpdir=" + tmp);
        for (int crash = 0; crash < 3; crash++) {
            try (VigilProcess vigil = VigilProcess.startWithJvm(jvm, "serve", "--port", "0",
                    "--data", dir.resolve("d").toString())) {
                assertThat(copies(tmp)).as("the running server's own copy").hasSize(1);
                vigil.kill();
            }
            // Time passes before the next crash: the copy is no longer one another start is about to load.
            for (Path p : copies(tmp)) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(3600)));
            }
        }
        try (VigilProcess vigil = VigilProcess.startWithJvm(jvm, "serve", "--port", "0",
                "--data", dir.resolve("d").toString())) {
            assertThat(copies(tmp)).as("after three crashes, only the running server's copy").hasSize(1);
            assertThat(vigil.terminate()).isZero();
        }
        assertThat(copies(tmp)).as("a clean stop removes its own").isEmpty();
    }

    private static List<Path> copies(Path tmp) throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith("libduckdb_java")).toList();
        }
    }
}
