package dev.vigil.app.batch;

import dev.vigil.batch.input.RecordReader;
import dev.vigil.batch.run.BatchRun;
import dev.vigil.batch.run.Strategy;
import dev.vigil.batch.run.TextReport;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What every batch command takes: the input, the target, retries and the online probe. */
final class TargetOptions {

    @Parameters(paramLabel = "FILE", description = "Records: .csv (header row) or .ndjson/.jsonl")
    Path input;

    @Option(names = "--target", paramLabel = "URL", required = true, description = "The service's base URL, e.g. http://localhost:9090")
    URI target;

    @Option(names = "--format", paramLabel = "FORMAT", description = "csv or ndjson (default: from the file name)")
    RecordReader.Format format;

    @Option(names = "--max-retries", paramLabel = "N", defaultValue = "5", description = "Transient failures of a request before its records are rejected. Default: ${DEFAULT-VALUE}")
    int maxRetries;

    @Option(names = "--retry-base", paramLabel = "DURATION", defaultValue = "50ms", description = "First backoff; doubles each retry, full jitter, at most 10s. Default: ${DEFAULT-VALUE}")
    Duration retryBase;

    @Option(names = "--probe-rate", paramLabel = "PER_SECOND", defaultValue = "20", description = "Online probe calls per second to --online-path (0: none). Default: ${DEFAULT-VALUE}")
    double probeRate;

    @Option(names = "--online-path", paramLabel = "PATH", defaultValue = "/online", description = "The service's endpoint online users call. Default: ${DEFAULT-VALUE}")
    String onlinePath;

    @Option(names = "--baseline", paramLabel = "DURATION", defaultValue = "2s", description = "Online latency measured before each run starts. Default: ${DEFAULT-VALUE}")
    Duration baseline;

    @Option(names = "--report-to", paramLabel = "URL", description = "A Vigil server (e.g. http://localhost:8080): every request goes there as a "
            + "call event (source vigil-batch, peer the target), so the run shows up in monitoring like production traffic")
    URI reportTo;

    BatchRun.Options options(Strategy s) {
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException(input + ": no such file");
        }
        BatchRun.Options o = BatchRun.Options.of(input, target, s).withRetries(maxRetries, retryBase)
                .withProbe(probeRate, onlinePath, baseline);
        if (reportTo != null) {
            o = o.reportingTo(reportTo);
        }
        return format == null ? o : o.withFormat(format);
    }

    /** Prints progress to standard error: a redrawn bar on a terminal, a line every 5 s otherwise. */
    static BatchRun.Listener progress() {
        boolean terminal = Terminal.isTerminal();
        // Plain lines: one each time a run enters another 5 s stretch (a run's clock starts again at 0).
        long[] lastStretch = {-1};
        return p -> {
            if (terminal) {
                System.err.print(TextReport.progress(p, true));
            } else if ((long) (p.seconds() / 5) != lastStretch[0]) {
                lastStretch[0] = (long) (p.seconds() / 5);
                if (lastStretch[0] > 0) {
                    System.err.println(TextReport.progress(p, false));
                }
            }
        };
    }

    /**
     * Prints the table and the recommendation of several runs and writes the HTML report.
     *
     * @return the exit code: 0, or 3 when no run kept the objective
     */
    int conclude(java.util.List<dev.vigil.batch.run.RunResult> results, dev.vigil.batch.run.Objective objective,
                 Path report, String defaultSuffix) throws java.io.IOException {
        System.out.print(TextReport.table(results));
        dev.vigil.batch.run.Comparison.Recommendation rec = dev.vigil.batch.run.Comparison.recommend(results, objective);
        System.out.println();
        System.out.println("recommended: " + rec.reason());
        Path html = report != null ? report : input.resolveSibling(input.getFileName() + defaultSuffix);
        dev.vigil.batch.run.HtmlReport.write(html, input.getFileName().toString(), target.toString(), results, rec, objective);
        System.out.println("report: " + html);
        return rec.best() == null ? 3 : 0;
    }

    static void endProgress() {
        if (Terminal.isTerminal()) {
            System.err.println();
        }
    }
}
