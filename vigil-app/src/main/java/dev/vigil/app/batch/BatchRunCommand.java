package dev.vigil.app.batch;

import dev.vigil.batch.input.RecordReader;
import dev.vigil.batch.run.BatchRun;
import dev.vigil.batch.run.RunResult;
import dev.vigil.batch.run.Strategy;
import dev.vigil.batch.run.TextReport;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vigil batch run}: one run with one strategy, resumable. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Send every record of FILE (CSV with a header row, or NDJSON) to the target service with one "
                + "strategy. Progress is checkpointed every second: killed and started again with the same arguments, "
                + "the run resumes, and idempotency keys (each record's id) keep anything from being applied twice.",
                "Strategies: per-record, chunk:N, parallel:C, stream[:N], validate-then-load[:local], combined with + "
                        + "or , (e.g. chunk:100,parallel:8)."})
public final class BatchRunCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "Records: .csv (header row) or .ndjson/.jsonl")
    Path input;

    @Option(names = "--target", required = true, description = "The service's base URL, e.g. http://localhost:9090")
    URI target;

    @Option(names = "--strategy", defaultValue = "per-record", description = "How to send. Default: ${DEFAULT-VALUE}")
    String strategy;

    @Option(names = "--format", description = "csv or ndjson (default: from the file name)")
    RecordReader.Format format;

    @Option(names = "--max-retries", defaultValue = "5", description = "Transient failures of a request before its records are rejected. Default: ${DEFAULT-VALUE}")
    int maxRetries;

    @Option(names = "--retry-base", defaultValue = "50ms", description = "First backoff; doubles each retry, full jitter, at most 10s. Default: ${DEFAULT-VALUE}")
    Duration retryBase;

    @Option(names = "--checkpoint", description = "Progress file (default: FILE.checkpoint.json)")
    Path checkpoint;

    @Option(names = "--rejects", description = "Rejected records with the reason, NDJSON (default: FILE.rejects.ndjson)")
    Path rejects;

    @Option(names = "--fresh", description = "Start over: ignore and replace an earlier checkpoint and reject file")
    boolean fresh;

    @Option(names = "--probe-rate", defaultValue = "20", description = "Online probe calls per second to --online-path (0: none). Default: ${DEFAULT-VALUE}")
    double probeRate;

    @Option(names = "--online-path", defaultValue = "/online", description = "The service's endpoint online users call. Default: ${DEFAULT-VALUE}")
    String onlinePath;

    @Option(names = "--baseline", defaultValue = "2s", description = "Online latency measured before the run starts. Default: ${DEFAULT-VALUE}")
    Duration baseline;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException(input + ": no such file");
        }
        Strategy s = Strategy.parse(strategy);
        BatchRun.Options o = BatchRun.Options.of(input, target, s);
        o = o.withFiles(checkpoint != null ? checkpoint : o.checkpoint(), rejects != null ? rejects : o.rejects())
                .fresh(fresh).withRetries(maxRetries, retryBase).withProbe(probeRate, onlinePath, baseline);
        if (format != null) {
            o = o.withFormat(format);
        }
        boolean terminal = Terminal.isTerminal();
        long[] startDone = {-1};
        long[] lastPlain = {0};
        RunResult r = new BatchRun(o).run(p -> {
            if (startDone[0] < 0) {
                startDone[0] = p.done();
            }
            if (terminal) {
                System.err.print(TextReport.progress(p, startDone[0], true));
            } else if (p.seconds() - lastPlain[0] >= 5) {
                lastPlain[0] = (long) p.seconds();
                System.err.println(TextReport.progress(p, startDone[0], false));
            }
        });
        if (terminal) {
            System.err.println();
        }
        System.out.print(TextReport.run(r));
        System.out.println("  rejects: " + o.rejects() + "   checkpoint: " + o.checkpoint());
        return 0;
    }
}
