package dev.vigil.app.batch;

import dev.vigil.batch.run.BatchRun;
import dev.vigil.batch.run.RunResult;
import dev.vigil.batch.run.Strategy;
import dev.vigil.batch.run.TextReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vigil batch run}: one run with one strategy, resumable. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Send every record of FILE (CSV with a header row, or NDJSON) to the target service with one "
                + "strategy. Progress is checkpointed every second: killed and started again with the same arguments, "
                + "the run resumes, and idempotency keys (each record's id) keep anything from being applied twice.",
                "Strategies: per-record, chunk:N, parallel:C, stream[:N], validate-then-load[:local], throttle:R, "
                        + "adaptive[:P99], combined with + or , (e.g. chunk:100,parallel:8). docs/LAB.md."})
public final class BatchRunCommand implements Callable<Integer> {

    @Mixin
    TargetOptions target;

    @Option(names = "--strategy", paramLabel = "NAME", defaultValue = "per-record", description = "How to send. Default: ${DEFAULT-VALUE}")
    String strategy;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Progress file (default: FILE.checkpoint.json)")
    Path checkpoint;

    @Option(names = "--rejects", paramLabel = "FILE", description = "Rejected records with the reason, NDJSON (default: FILE.rejects.ndjson)")
    Path rejects;

    @Option(names = "--fresh", description = "Start over: ignore and replace an earlier checkpoint and reject file")
    boolean fresh;

    @Override
    public Integer call() throws Exception {
        BatchRun.Options o = target.options(Strategy.parse(strategy));
        o = o.withFiles(checkpoint != null ? checkpoint : o.checkpoint(), rejects != null ? rejects : o.rejects()).fresh(fresh);
        RunResult r = new BatchRun(o).run(TargetOptions.progress());
        TargetOptions.endProgress();
        System.out.print(TextReport.run(r));
        System.out.println("  rejects: " + o.rejects() + "   checkpoint: " + o.checkpoint());
        return 0;
    }
}
