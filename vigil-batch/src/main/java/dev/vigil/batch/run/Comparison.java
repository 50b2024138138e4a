package dev.vigil.batch.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Several strategies against the same input and service, one after the other, each under keys of its own
 * (so each applies its records anew) and within a {@link Budget} (time, records or both); then which one to
 * use and why.
 */
public final class Comparison {

    private Comparison() {
    }

    /** Runs each strategy; {@code onEach} hears each result as it comes. */
    public static List<RunResult> run(BatchRun.Options base, List<Strategy> strategies, Budget budget, Path workDir,
                                      Consumer<RunResult> onEach, BatchRun.Listener listener)
            throws IOException, InterruptedException {
        Session session = new Session(base, budget, workDir, listener);
        List<RunResult> out = new ArrayList<>();
        for (Strategy s : strategies) {
            RunResult r = session.run(s);
            out.add(r);
            onEach.accept(r);
        }
        return out;
    }

    /** Runs one strategy after another, each with keys and files of its own. */
    static final class Session {
        private final BatchRun.Options base;
        private final Budget budget;
        private final Path workDir;
        private final BatchRun.Listener listener;
        private final String id = Long.toString(System.currentTimeMillis(), 36);
        private int runs;

        Session(BatchRun.Options base, Budget budget, Path workDir, BatchRun.Listener listener) throws IOException {
            this.base = base;
            this.budget = budget;
            this.workDir = Files.createDirectories(workDir);
            this.listener = listener;
        }

        RunResult run(Strategy s) throws IOException, InterruptedException {
            String name = String.format(Locale.ROOT, "%02d", ++runs);
            BatchRun.Options o = base.withStrategy(s)
                    .withFiles(workDir.resolve(name + ".checkpoint.json"), workDir.resolve(name + ".rejects.ndjson"))
                    .fresh(true).forComparison("cmp-" + id + "-" + name + "/", budget);
            RunResult r = new BatchRun(o).run(listener);
            // Let the service finish what the last run left queued before the next one measures it.
            Thread.sleep(250);
            return r;
        }
    }

    /** The recommended result: the fastest that keeps the objective (or the fastest, without one), and why. */
    public record Recommendation(RunResult best, String reason) {
    }

    public static Recommendation recommend(List<RunResult> results, Objective protect) {
        RunResult baseline = results.stream().filter(r -> r.strategy().chunk() == 1 && r.strategy().parallel() == 1
                && !r.strategy().stream()).findFirst().orElse(null);
        RunResult found = null;
        for (RunResult r : results) {
            if (protect != null && !protect.kept(r)) {
                continue;
            }
            if (found == null || r.perSecond() > found.perSecond()) {
                found = r;
            }
        }
        RunResult best = found;
        if (best == null) {
            return new Recommendation(null, "no strategy kept " + protect + ": lower the parallelism, throttle "
                    + "(throttle:R or adaptive), or relax the objective");
        }
        StringBuilder why = new StringBuilder(String.format(Locale.ROOT, "%s: %,.0f records/s", best.strategy(), best.perSecond()));
        if (baseline != null && baseline != best && baseline.perSecond() > 0) {
            why.append(String.format(Locale.ROOT, ", %.1f× one call per record (%,.0f records/s)", best.perSecond() / baseline.perSecond(),
                    baseline.perSecond()));
        }
        if (best.onlineDuring() != null) {
            why.append(String.format(Locale.ROOT, "; online p99 %s during the run (%s before)", TextReport.ms(best.onlineDuring().at(0.99)),
                    best.onlineBefore() == null ? "-" : TextReport.ms(best.onlineBefore().at(0.99))));
        }
        if (protect != null) {
            why.append(", inside ").append(protect);
            List<RunResult> faster = results.stream().filter(r -> r.perSecond() > best.perSecond()).toList();
            if (!faster.isEmpty()) {
                why.append(String.format(Locale.ROOT, " (%d faster strateg%s broke it)", faster.size(), faster.size() == 1 ? "y" : "ies"));
            }
        }
        if (best.utilisation() != null) {
            why.append(String.format(Locale.ROOT, "; the service was %.0f%% busy", 100 * best.utilisation()));
        }
        return new Recommendation(best, why.toString());
    }
}
