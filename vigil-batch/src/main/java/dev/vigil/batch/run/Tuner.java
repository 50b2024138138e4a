package dev.vigil.batch.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Finds a good configuration without trying them all: for each chunk size (1, 10, 100, 1000 records per
 * request), it doubles the requests in flight from 1 while throughput still grows by at least 5% and the
 * online objective holds (a breach is confirmed by running the point again); it stops growing chunks once
 * a chunk size brings less than the one before. Each point runs within its {@link Budget} under keys of
 * its own.
 */
public final class Tuner {

    static final int[] CHUNKS = {1, 10, 100, 1000};
    static final int MAX_PARALLEL = 64;

    private Tuner() {
    }

    public static List<RunResult> run(BatchRun.Options base, Objective protect, Budget perPoint, Path workDir,
                                      Consumer<RunResult> onEach, BatchRun.Listener listener)
            throws IOException, InterruptedException {
        Comparison.Session session = new Comparison.Session(base, perPoint, workDir, listener);
        return climb(session::run, protect, onEach);
    }

    /** Runs one configuration and says how it did. */
    interface Point {
        RunResult run(Strategy s) throws IOException, InterruptedException;
    }

    /** The search itself, over any way of running a point (a test gives it measured figures of its own). */
    static List<RunResult> climb(Point session, Objective protect, Consumer<RunResult> onEach)
            throws IOException, InterruptedException {
        List<RunResult> tried = new ArrayList<>();
        double bestOfLastChunk = 0;
        for (int chunk : CHUNKS) {
            double bestHere = 0;
            double previous = 0;
            for (int parallel = 1; parallel <= MAX_PARALLEL; parallel *= 2) {
                Strategy s = new Strategy(chunk, parallel, false, Strategy.Validate.NONE);
                RunResult r = session.run(s);
                tried.add(r);
                onEach.accept(r);
                boolean kept = protect == null || protect.kept(r);
                if (!kept) {
                    // A p99 over a few seconds of probe calls rests on a handful of them: one pause breaks it.
                    // A breach ends the climb only when a second run of the same point confirms it.
                    r = session.run(s);
                    tried.add(r);
                    onEach.accept(r);
                    kept = protect.kept(r);
                }
                if (kept) {
                    bestHere = Math.max(bestHere, r.perSecond());
                }
                if (!kept || r.perSecond() < previous * 1.05) {
                    break;
                }
                previous = r.perSecond();
            }
            if (bestHere < bestOfLastChunk) {
                break;
            }
            bestOfLastChunk = bestHere;
        }
        return tried;
    }
}
