package dev.vigil.app.lab;

import dev.vigil.batch.service.ReferenceService;
import dev.vigil.batch.service.ServiceModel;
import dev.vigil.config.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vigil lab service}: the reference service, until stopped. */
@Command(name = "service", mixinStandardHelpOptions = true,
        description = {"Run the reference service: a real HTTP service whose cost per request, cost per record, "
                + "capacity and faults you set. Endpoints: POST /records, /records/bulk, /records/stream (NDJSON), "
                + "/records/validate; GET /online, /ledger, /stats (docs/LAB.md). Ctrl-C stops it."})
public final class LabServiceCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9090", description = "HTTP port (0 picks a free one). Default: ${DEFAULT-VALUE}")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1", description = "Address to listen on: loopback by default; "
            + "0.0.0.0 for every interface (its /admin endpoints answer loopback clients only). Default: ${DEFAULT-VALUE}")
    String bind;

    @Option(names = "--overhead", paramLabel = "DURATION", defaultValue = "2ms", description = "Fixed cost of each request (round trips, orchestration). Default: ${DEFAULT-VALUE}")
    Duration overhead;

    @Option(names = "--per-record", paramLabel = "DURATION", defaultValue = "50us", description = "Cost of each record in a request. Default: ${DEFAULT-VALUE}")
    Duration perRecord;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "8", description = "Requests worked on at once (the capacity); others wait. Default: ${DEFAULT-VALUE}")
    int workers;

    @Option(names = "--transient-errors", paramLabel = "SHARE", defaultValue = "0", description = "Share of record requests answered 503 before applying anything. Default: ${DEFAULT-VALUE}")
    double transientErrors;

    @Option(names = "--lost-replies", paramLabel = "SHARE", defaultValue = "0", description = "Share of record requests applied but answered 503 (the reply was lost). Default: ${DEFAULT-VALUE}")
    double lostReplies;

    @Option(names = "--spikes", paramLabel = "SHARE", defaultValue = "0", description = "Share of requests that take --spike longer. Default: ${DEFAULT-VALUE}")
    double spikes;

    @Option(names = "--spike", paramLabel = "DURATION", defaultValue = "200ms", description = "Extra time of a latency spike. Default: ${DEFAULT-VALUE}")
    Duration spike;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the fault dice. Default: ${DEFAULT-VALUE}")
    long seed;

    @Override
    public Integer call() throws Exception {
        ServiceModel model = new ServiceModel(overhead, perRecord, workers, transientErrors, lostReplies, spikes, spike, seed);
        ReferenceService service = ReferenceService.start(model, port, bind);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "vigil-lab-stop"));
        System.out.printf(Locale.ROOT, "reference service listening on http://%s:%d%s%n", bind.contains(":") ? "[" + bind + "]" : bind,
                service.port(), bind.equals("0.0.0.0") || bind.equals("::") ? "  (every interface; /admin answers loopback only)" : "");
        System.out.printf(Locale.ROOT, "  %s per request + %s per record, %d workers: capacity %,.0f records/s one per "
                        + "request, %,.0f at 100 per request, %,.0f at 1000%n", Durations.format(overhead),
                Durations.format(perRecord), workers, model.capacity(1), model.capacity(100), model.capacity(1000));
        if (transientErrors + lostReplies + spikes > 0) {
            System.out.printf(Locale.ROOT, "  faults: %.1f%% transient 503, %.1f%% lost replies, %.1f%% spikes of %s%n",
                    100 * transientErrors, 100 * lostReplies, 100 * spikes, Durations.format(spike));
        }
        stopped.await();
        return 0;
    }
}
