package dev.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.batch.run.BatchRun;
import dev.vigil.batch.run.RunResult;
import dev.vigil.batch.run.Strategy;
import dev.vigil.batch.service.ReferenceService;
import dev.vigil.batch.service.ServiceModel;
import dev.vigil.server.ServerOptions;
import dev.vigil.server.VigilServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A batch run reporting to a real Vigil: its requests arrive as call events, like production traffic. */
class BatchReportToTest {

    @TempDir
    Path dir;

    @Test
    void everyRequestOfARunArrivesInVigilAsACallEventUnderTheRunsId() throws Exception {
        Path in = dir.resolve("in.ndjson");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            lines.add("{\"id\":\"R" + i + "\",\"amount\":" + (i % 9) + "}");
        }
        Files.write(in, lines);
        try (VigilServer vigil = VigilServer.start(ServerOptions.defaults(dir.resolve("vigil")).withPort(0).withBindAddress("127.0.0.1"));
             ReferenceService service = ReferenceService.start(ServiceModel.DEFAULT.withCosts(Duration.ofMillis(1), Duration.ZERO),
                     0, "127.0.0.1")) {
            URI base = URI.create("http://127.0.0.1:" + vigil.port());
            BatchRun.Options o = BatchRun.Options.of(in, URI.create("http://127.0.0.1:" + service.port()),
                    Strategy.parse("chunk:10+parallel:2")).withProbe(0, "/online", Duration.ZERO).reportingTo(base);

            RunResult r = new BatchRun(o).run(p -> { });

            assertThat(r.reported().sent()).isEqualTo(r.calls()).isEqualTo(50);
            assertThat(r.reported().dropped()).isZero();
            JsonNode page = Http.get(base, "/api/v1/events?key=batchRun:" + r.reported().runId() + "&limit=100");
            assertThat(page.get("events")).hasSize(50).allSatisfy(e -> {
                assertThat(e.get("source").asText()).isEqualTo("vigil-batch");
                assertThat(e.get("name").asText()).isEqualTo("POST /records/bulk");
                assertThat(e.get("kind").asText()).isEqualTo("call");
                assertThat(e.get("peer").asText()).isEqualTo("127.0.0.1:" + service.port());
                assertThat(e.at("/attributes/records").asInt()).isEqualTo(10);
                assertThat(e.get("durationMs").asDouble()).isPositive();
            });
        }
    }
}
