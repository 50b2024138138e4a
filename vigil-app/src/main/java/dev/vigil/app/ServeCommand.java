package dev.vigil.app;

import dev.vigil.server.VigilServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the Vigil server for real sources: POST events to /ingest/events, spans over OTLP (HTTP /v1/traces, gRPC), query /api/v1. "
                + "Stops cleanly (exit 0) on SIGTERM or Ctrl-C after committing every accepted event.")
public final class ServeCommand implements Callable<Integer> {

    @Mixin
    ServerFlags flags;

    @Override
    public Integer call() throws Exception {
        Lifecycle lifecycle = new Lifecycle();
        VigilServer server = VigilServer.start(flags.toOptions());
        System.out.println("Vigil " + Vigil.version() + " listening on " + flags.boundUrl(server.port()) + flags.reachNote()
                + " (data: " + server.journal().file().toAbsolutePath() + ", " + server.journal().storedEvents() + " events)");
        System.out.println("  ingest: POST " + flags.localUrl(server.port()) + "/ingest/events"
                + "  (application/x-ndjson or application/json)");
        System.out.println(flags.otlpBanner(server));
        if (!server.scraper().health().isEmpty()) {
            System.out.println("  scraping " + server.scraper().health().size() + " target(s) from vigil.yaml: "
                    + flags.localUrl(server.port()) + "/api/v1/scrapes (health), /api/v1/hosts (hosts per minute)");
        }
        System.out.flush();
        lifecycle.awaitStop();
        Lifecycle.stop(server, System.out);
        return 0;
    }
}
