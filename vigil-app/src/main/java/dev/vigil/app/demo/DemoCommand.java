package dev.vigil.app.demo;

import dev.vigil.app.Lifecycle;
import dev.vigil.app.ServerFlags;
import dev.vigil.app.Vigil;
import dev.vigil.server.VigilServer;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start Vigil with a simulated estate feeding it over HTTP: 3 business units, 14 services (4 seen only by their callers), "
                + "2 external suppliers, an order-to-cash process, errors, incidents, late events. "
                + "Open the printed URL; Ctrl-C stops it.")
public final class DemoCommand implements Callable<Integer> {

    @Mixin
    ServerFlags flags;

    @Option(names = "--rate", defaultValue = "300", description = "Events per second the simulator sends. Default: ${DEFAULT-VALUE}")
    double rate;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed of the simulation. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--duration", description = "Stop by itself after this long (e.g. 10m); default: run until stopped")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        if (rate <= 0 || rate > 1_000_000) {
            throw new IllegalArgumentException("--rate must be between 1 and 1000000 events per second");
        }
        Lifecycle lifecycle = new Lifecycle();
        // The estate's hosts, each with a simulated node exporter that the demo's configuration scrapes.
        SimulatedHosts hosts = SimulatedHosts.start(seed);
        // Written only when used: a --config pointing at an edited copy in demo-config/ must not be overwritten.
        VigilServer server;
        try {
            server = VigilServer.start(flags.toOptions(() -> {
                dev.vigil.config.VigilConfig c = demoConfig(flags.data());
                return c.scrapes().isEmpty() ? c.withScrapes(hosts.targets()) : c;
            }));
        } catch (Exception | Error e) {
            hosts.close();
            throw e;
        }
        String url = flags.localUrl(server.port());
        PrintStream out = System.out;
        out.println("Vigil " + Vigil.version() + " demo on " + flags.boundUrl(server.port()) + flags.reachNote()
                + "  (data: " + server.journal().file().toAbsolutePath() + ")");
        out.println("  try: curl '" + url + "/api/v1/stats'   curl '" + url + "/api/v1/events?limit=5&order=desc'");
        out.println("       curl '" + url + "/api/v1/cases?status=stuck'   curl '" + url
                + "/api/v1/kpis?dimension=peer&key=carrier-api'");
        out.println("       curl '" + url + "/api/v1/objectives'   vigil report --contract parcelco-2026 --period "
                + java.time.YearMonth.now(java.time.ZoneOffset.UTC) + " --server " + url);
        out.println(flags.otlpBanner(server));
        long simulated = server.scraper().health().stream().filter(h -> "true".equals(h.labels().get("simulated"))).count();
        if (simulated > 0) {
            out.println("  hosts: " + simulated + " simulated node exporters, scraped every 5 s: curl '" + url + "/api/v1/hosts'");
        }
        out.println("  a simulated estate is posting ~" + (long) rate + " events/s to " + url + "/ingest/events, and its "
                + "order-service its spans over OpenTelemetry (OTLP) to " + url + "/v1/traces; Ctrl-C stops");
        out.flush();
        Simulator sim;
        try {
            sim = new Simulator(URI.create("http://127.0.0.1:" + server.port()), rate, seed);
        } catch (RuntimeException | Error e) {
            // the server's threads would keep this process alive with no simulator feeding it
            Lifecycle.stop(server, out);
            hosts.close();
            throw e;
        }
        Thread simThread = Thread.ofPlatform().name("vigil-simulator").daemon(true).start(sim);
        Thread status = Thread.ofPlatform().name("vigil-status").daemon(true).start(() -> printStatus(sim, server, out));
        if (duration != null) {
            Thread.ofPlatform().daemon(true).start(() -> {
                try {
                    Thread.sleep(duration.toMillis());
                    lifecycle.requestStop();
                } catch (InterruptedException e) {
                    // stopped otherwise
                }
            });
        }
        lifecycle.awaitStop();
        sim.stop();
        status.interrupt();
        simThread.join(5000);
        sim.close();
        Lifecycle.stop(server, out);
        hosts.close();
        return 0;
    }

    /**
     * The demo's built-in configuration (its process, rules, objectives and contracts), written under the data
     * folder so that it can be read, changed and given back with --config, and so that {@code vigil report}
     * finds the contracts.
     */
    static dev.vigil.config.VigilConfig demoConfig(java.nio.file.Path dataDir) throws dev.vigil.config.yaml.InvalidConfig {
        java.nio.file.Path dir = dataDir.resolve("demo-config");
        try {
            java.nio.file.Files.createDirectories(dir);
            for (String[] f : new String[][] {{"demo-vigil.yaml", "vigil.yaml"}, {"demo-slo.yaml", "slo.yaml"}}) {
                try (java.io.InputStream in = DemoCommand.class.getResourceAsStream(f[0])) {
                    if (in == null) {
                        throw new IllegalStateException("the demo's built-in " + f[0] + " is missing from the jar");
                    }
                    java.nio.file.Files.write(dir.resolve(f[1]), in.readAllBytes());
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the demo's configuration into " + dir, e);
        }
        return dev.vigil.config.yaml.ConfigLoader.load(dir.resolve("vigil.yaml"));
    }

    private static void printStatus(Simulator sim, VigilServer server, PrintStream out) {
        boolean terminal = System.console() != null;
        long lastAccepted = 0;
        long lastNanos = System.nanoTime();
        int tick = 0;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            long acc = server.journal().commitStats().events();
            double perSec = (acc - lastAccepted) / ((now - lastNanos) / 1e9);
            lastAccepted = acc;
            lastNanos = now;
            String line = String.format(Locale.ROOT, "ingested %,.0f events/s | rejected %,d | stored %,d%s",
                    perSec, server.journal().commitStats().rejected(), server.journal().storedEvents(),
                    sim.failedPosts() > 0 ? " | failed posts " + sim.failedPosts() + " (" + sim.lastError() + ")" : "");
            if (terminal) {
                out.print("\r\033[2K" + line);
                out.flush();
            } else if (tick++ % 5 == 0) {
                out.println(line);
                out.flush();
            }
        }
    }
}
