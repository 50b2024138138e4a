package dev.vigil.app.batch;

import dev.vigil.batch.run.Objective;
import dev.vigil.batch.run.RunResult;
import dev.vigil.batch.run.Strategy;
import dev.vigil.batch.run.Tuner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vigil batch tune}: find the fastest configuration that keeps online users' objective. */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = {"Search records per request (1, 10, 100, 1000) and requests in flight (doubling from 1 while "
                + "throughput grows and the objective holds) for the fastest configuration that keeps --protect; each "
                + "point runs --time-per-point (or --records-per-point) under keys of its own. Prints every point tried "
                + "and the recommendation, and writes an HTML report."})
public final class BatchTuneCommand implements Callable<Integer> {

    @Mixin
    TargetOptions target;

    @Option(names = "--protect", paramLabel = "RULE", required = true, description = "What online users must keep, e.g. 'online p99 < 200ms'")
    String protect;

    @Option(names = "--time-per-point", paramLabel = "DURATION", description = "How long each configuration runs. Default: 5s, unless "
            + "--records-per-point is given")
    Duration timePerPoint;

    @Option(names = "--records-per-point", paramLabel = "N", description = "At most this many records per configuration: every point is "
            + "measured on the same first N records. With --time-per-point too, whichever comes first")
    Long recordsPerPoint;

    @Option(names = "--report", paramLabel = "FILE", description = "HTML report to write (default: FILE.tune.html)")
    Path report;

    @Override
    public Integer call() throws Exception {
        Objective objective = Objective.parse(protect);
        var base = target.options(Strategy.PER_RECORD);
        Path dir = target.input.resolveSibling(target.input.getFileName() + ".tune");
        java.util.Set<Strategy> seen = new java.util.HashSet<>();
        List<RunResult> tried = Tuner.run(base, objective,
                BatchCompareCommand.budget(timePerPoint, recordsPerPoint, Duration.ofSeconds(5)), dir, r -> {
            TargetOptions.endProgress();
            boolean again = !seen.add(r.strategy());
            System.err.printf("%s%s: %,.0f records/s, online %s %s%n", r.strategy(),
                    again ? " again (a breach is believed once a second run confirms it)" : "", r.perSecond(),
                    objective.statistic(), objective.kept(r) ? "kept" : "broken");
        }, TargetOptions.progress());
        return target.conclude(tried, objective, report, ".tune.html");
    }
}
