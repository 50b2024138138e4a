package dev.vigil.app.batch;

import dev.vigil.batch.run.Budget;
import dev.vigil.batch.run.Comparison;
import dev.vigil.batch.run.Objective;
import dev.vigil.batch.run.RunResult;
import dev.vigil.batch.run.Strategy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vigil batch compare}: several strategies side by side, and which to use. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Run several strategies one after the other against the same input and service, each under "
                + "idempotency keys of its own (so each applies the records anew: use the reference service or a test "
                + "environment) and for at most --time-limit or --records; print a table, the recommended strategy "
                + "and why, and write an HTML report."})
public final class BatchCompareCommand implements Callable<Integer> {

    static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(30);

    @Mixin
    TargetOptions target;

    @Option(names = "--strategies", paramLabel = "NAME[,NAME...]", required = true, split = ",",
            description = "Strategies separated by commas; parts of one joined by +, e.g. per-record,chunk:100,chunk:100+parallel:8")
    List<String> strategies;

    @Option(names = "--protect", paramLabel = "RULE", description = "What online users must keep, e.g. 'online p99 < 200ms'")
    String protect;

    @Option(names = "--time-limit", paramLabel = "DURATION", description = "At most this long per strategy (its rate is what counts). Default: 30s, "
            + "unless --records is given")
    Duration timeLimit;

    @Option(names = "--records", paramLabel = "N", description = "At most this many records per strategy: every strategy is measured on the "
            + "same first N records of the input. With --time-limit too, whichever comes first")
    Long records;

    @Option(names = "--report", paramLabel = "FILE", description = "HTML report to write (default: FILE.compare.html)")
    Path report;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Checkpoints and rejects of each run (default: FILE.compare/)")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        List<Strategy> list = strategies.stream().map(Strategy::parse).toList();
        Objective objective = protect == null ? null : Objective.parse(protect);
        var base = target.options(list.get(0));
        Path dir = workDir != null ? workDir : target.input.resolveSibling(target.input.getFileName() + ".compare");
        List<RunResult> results = Comparison.run(base, list, budget(timeLimit, records, DEFAULT_TIME_LIMIT), dir, r -> {
            TargetOptions.endProgress();
            System.err.printf("%s: %,.0f records/s%n", r.strategy(), r.perSecond());
        }, TargetOptions.progress());
        return target.conclude(results, objective, report, ".compare.html");
    }

    /** The time given, the records given, both, or (neither given) the default time. */
    static Budget budget(Duration time, Long records, Duration defaultTime) {
        if (records != null && records <= 0) {
            throw new IllegalArgumentException("a record budget must be above 0, not " + records);
        }
        if (time != null && (time.isNegative() || time.isZero())) {
            throw new IllegalArgumentException("a time limit must be above 0, not " + dev.vigil.config.Durations.format(time));
        }
        return new Budget(time == null && records == null ? defaultTime : time, records == null ? 0 : records);
    }
}
