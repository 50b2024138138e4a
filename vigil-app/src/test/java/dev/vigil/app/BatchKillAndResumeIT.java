package dev.vigil.app;

import dev.vigil.testkit.Await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.batch.service.ReferenceService;
import dev.vigil.batch.service.ServiceModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch run through the real {@code vigil batch run}, killed with SIGKILL twice at random moments and
 * started again with the same arguments: the reference service's ledger must show every valid record applied
 * exactly once, and the reject file every invalid one exactly once.
 */
class BatchKillAndResumeIT {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aRunKilledTwiceAndResumedAppliesEveryRecordExactlyOnce() throws Exception {
        // Slow enough that a run takes several seconds; replies lost now and then, so only the idempotency
        // keys stand between a retry and a second application.
        ServiceModel model = ServiceModel.DEFAULT.withCosts(Duration.ofMillis(4), Duration.ofNanos(100_000)).withWorkers(2)
                .withFaults(0.01, 0.02);
        Path input = dir.resolve("invoices.ndjson");
        Set<String> valid = new HashSet<>();
        Set<Long> invalid = new HashSet<>();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            // One in five: enough rejects between two checkpoints to spill out of the reject file's buffer.
            boolean bad = i % 5 == 3;
            lines.add("{\"id\":\"INV-" + i + "\",\"customer\":\"C" + i % 500 + "\",\"amount\":" + (bad ? "-1" : i % 700)
                    + ",\"currency\":\"EUR\"}");
            if (bad) {
                invalid.add((long) i);
            } else {
                valid.add("INV-" + i);
            }
        }
        Files.write(input, lines);
        ReferenceService service = ReferenceService.start(model, 0, "127.0.0.1");
        try {
            String[] args = {"batch", "run", input.toString(), "--target", "http://127.0.0.1:" + service.port(),
                    "--strategy", "chunk:20+parallel:2", "--probe-rate", "0", "--retry-base", "5ms", "--max-retries", "20"};
            Random random = new Random();
            Path checkpoint = dir.resolve("invoices.ndjson.checkpoint.json");
            List<String> log = new ArrayList<>();
            int kills = 0;
            while (kills < 2) {
                VigilProcess run = VigilProcess.launch(args);
                // Killed mid-run, after a random number of records applied rather than after a time: the first
                // run once it has written a checkpoint (so that a later run resumes from one), the second at once.
                if (kills == 0) {
                    Await.until("the first run to write a checkpoint", () -> {
                        if (!run.process.isAlive()) {
                            throw new AssertionError("the run ended before it could be killed: " + run.output());
                        }
                        return Files.exists(checkpoint);
                    }, written -> written);
                }
                long appliedBefore = service.ledger().applied();
                long more = 100 + random.nextInt(900);
                Await.until(more + " more records applied", () -> service.ledger().applied() - appliedBefore,
                        n -> n >= more || !run.process.isAlive());
                if (!run.process.isAlive()) {
                    // It finished before the kill: too fast to be a test of resumption.
                    throw new AssertionError("the run ended before it could be killed: " + run.output());
                }
                run.kill();
                kills++;
                log.add("killed with " + service.ledger().applied() + " applied; checkpoint " + Files.readString(checkpoint)
                        .replaceAll("\"doneAbove\":\\[[^]]*]", "..."));
            }
            VigilProcess last = VigilProcess.launch(args);
            assertThat(last.await(120)).as("%s", last.output()).isZero();
            String out = String.join("\n", last.output());

            assertThat(service.ledger().keys()).as("ledger after %s", log).isEqualTo(valid);
            assertThat(service.ledger().applied()).isEqualTo(valid.size());
            List<Long> rejected = new ArrayList<>();
            for (String l : Files.readAllLines(dir.resolve("invoices.ndjson.rejects.ndjson"))) {
                JsonNode j = JSON.readTree(l);
                rejected.add(j.get("index").asLong());
                assertThat(j.get("reason").asText()).isEqualTo("amount must be at least 0, not -1");
            }
            assertThat(rejected).as("each invalid record rejected once").doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(invalid);
            assertThat(out).contains("resumed:").contains("applied " + String.format(java.util.Locale.ROOT, "%,d", valid.size()));
        } finally {
            service.stop();
        }
    }
}
