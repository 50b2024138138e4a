package dev.vigil.app.demo;

import dev.vigil.app.Lifecycle;
import dev.vigil.app.ServerFlags;
import dev.vigil.app.Vigil;
import dev.vigil.server.VigilServer;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import dev.vigil.config.Durations;
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

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "300", description = "Events per second the simulator sends. Default: ${DEFAULT-VALUE}")
    double rate;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Random seed of the simulation. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--duration", paramLabel = "DURATION", description = "Stop by itself after this long (e.g. 10m); default: run until stopped")
    Duration duration;

    @Option(names = "--backfill", paramLabel = "AGE",
            description = "Before going live, generate this much history (event time up to now) at --backfill-rate, so that "
                    + "budgets, trends and last month's contract report are real. 0s for none. Default: 35 days, or back "
                    + "to the start of last month when that is longer")
    Duration backfill;

    @Option(names = "--backfill-rate", defaultValue = "0.5", paramLabel = "PER_SECOND",
            description = "Events per second of event time in the history, rising to --rate over its last quarter hour (no "
                    + "false surge when it goes live); a quarter of it more than 35 days back. Default: ${DEFAULT-VALUE}")
    double backfillRate;

    @Option(names = "--incident", paramLabel = "NAME", description = "Play this incident at once (repeatable): "
            + "carrier-outage, stuck-orders, slow-database or host-saturation. The dashboard's demo bar plays them too")
    java.util.List<String> incidents = new java.util.ArrayList<>();

    @Option(names = "--scheduled-incidents", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Replay the demo's incidents on a schedule: the first 45 s in, then one every 4 minutes. "
                    + "Default: on (--no-scheduled-incidents for a quiet estate)")
    boolean scheduledIncidents;

    @Override
    public Integer call() throws Exception {
        if (rate <= 0 || rate > 1_000_000) {
            throw new IllegalArgumentException("--rate must be between 1 and 1000000 events per second");
        }
        if (backfill == null) {
            java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
            Duration sinceLastMonth = Duration.between(now.withDayOfMonth(1).truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                    .minusMonths(1), now);
            backfill = sinceLastMonth.compareTo(Duration.ofDays(35)) > 0 ? sinceLastMonth : Duration.ofDays(35);
        }
        if (backfill.isNegative() || backfill.compareTo(Duration.ofDays(400)) > 0) {
            throw new IllegalArgumentException("--backfill must be between 0s and 400d");
        }
        if (backfillRate <= 0 || backfillRate > 1000) {
            throw new IllegalArgumentException("--backfill-rate must be between 0 and 1000 events per second");
        }
        if (!backfill.isZero()) {
            flags.acceptPast(backfill.plusDays(1));
        }
        for (String name : incidents) {
            try {
                Scenario.named(name);
            } catch (dev.vigil.server.DemoControl.UnknownScenario e) {
                throw new IllegalArgumentException("--incident: " + e.getMessage());
            }
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
        out.println("       curl '" + url + "/api/v1/cases?status=stuck&order=desc'   curl '" + url
                + "/api/v1/kpis?dimension=peer&key=carrier-api'");
        out.println("       curl '" + url + "/api/v1/objectives'   ./vigil report --contract parcelco-2026 --period "
                + java.time.YearMonth.now(java.time.ZoneOffset.UTC) + " --server " + url);
        out.println(flags.otlpBanner(server));
        long simulated = server.scraper().health().stream().filter(h -> "true".equals(h.labels().get("simulated"))).count();
        if (simulated > 0) {
            out.println("  hosts: " + simulated + " simulated node exporters, scraped every 5 s: curl '" + url + "/api/v1/hosts'");
        }
        out.println("  incidents: " + (scheduledIncidents ? "carrier-outage 45 s in, then one every 4 minutes; " : "")
                + "play one with the dashboard's demo bar, or curl -H 'Content-Type: application/json' -d "
                + "'{\"incident\": \"slow-database\"}' " + url + "/api/v1/demo/incidents");
        out.println("  a simulated estate is posting ~" + (long) rate + " events/s to " + url + "/ingest/events, and its "
                + "order-service its spans over OpenTelemetry (OTLP) to " + url + "/v1/traces; Ctrl-C stops");
        out.flush();
        Simulator sim;
        try {
            sim = new Simulator(URI.create("http://127.0.0.1:" + server.port()), rate, seed, hosts, scheduledIncidents);
            server.demo(sim);
            for (String name : incidents) {
                sim.inject(name);
            }
        } catch (RuntimeException | Error e) {
            // the server's threads would keep this process alive with no simulator feeding it
            Lifecycle.stop(server, out);
            hosts.close();
            throw e;
        }
        // History goes into an empty folder only: sent again, a restarted demo stored every event of it twice (too late
        // for the KPIs, so the events explorer and the KPIs disagreed two to one).
        long earlier = server.journal().storedEvents();
        boolean history = !backfill.isZero() && earlier == 0;
        if (!backfill.isZero() && !history) {
            out.printf(Locale.ROOT, "  history: %s already holds %,d events of an earlier run, so none is generated again "
                    + "(a new --data folder for a fresh history)%n", flags.data(), earlier);
            out.flush();
        }
        Thread simThread = Thread.ofPlatform().name("vigil-simulator").daemon(true).start(() -> {
            if (history) {
                try {
                    long started = System.nanoTime();
                    int[] shown = {-1};
                    sim.backfill(backfill, backfillRate, done -> {
                        int percent = (int) Math.floor(100 * done);
                        if (percent / 10 != shown[0] / 10 || percent == 100) {
                            shown[0] = percent;
                            out.printf(Locale.ROOT, "%n  history: %d%% of %s generated and sent (%.0f s)%s", percent,
                                    backfill.toHours() >= 48 ? backfill.toDays() + " days" : Durations.format(backfill),
                                    (System.nanoTime() - started) / 1e9,
                                    percent == 100 ? "; live from now on" + System.lineSeparator() : "");
                            out.flush();
                        }
                    });
                } catch (InterruptedException e) {
                    return;
                }
            }
            sim.run();
        });
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
