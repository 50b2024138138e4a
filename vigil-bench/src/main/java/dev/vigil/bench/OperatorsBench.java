package dev.vigil.bench;

import dev.vigil.event.Event;
import dev.vigil.summarise.ClosedWindow;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.Summariser;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * W1's query through Vigil's summarise operator alone: per (service, operation) per minute, count, errors
 * and a DDSketch at 1%; watermark = max event time − 2 s, advanced every 4,096 events. The key of each
 * event is derived from the event, as the pipeline does. One operation = one event (the score is events/s).
 * Each invocation checks its result (40,000 windows, 10 million counted, nothing too late) and throws if
 * it is wrong, so a fast wrong answer cannot be reported.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms6g", "-Xmx6g"})
public class OperatorsBench {

    Event[] events;
    /** The events of each partition, split as the runtime splits events by their summarise key. */
    Event[][] byPartition;
    ExecutorService pool;

    @Setup(Level.Trial)
    public void setUp() {
        events = W1.generate(false);
        int p = Runtime.getRuntime().availableProcessors();
        List<List<Event>> split = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            split.add(new ArrayList<>());
        }
        for (Event e : events) {
            split.get(Math.floorMod((e.source().hashCode() * 31 + e.name().hashCode()), p)).add(e);
        }
        byPartition = new Event[p][];
        for (int i = 0; i < p; i++) {
            byPartition[i] = split.get(i).toArray(Event[]::new);
        }
        pool = Executors.newFixedThreadPool(p);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdownNow();
    }

    /** The summarise operator on one thread. */
    @Benchmark
    @OperationsPerInvocation(W1.N)
    public long summariseOneThread() {
        long[] result = summarise(events);
        return check(result[0], result[1], result[2]);
    }

    /** One summarise operator per core, each over its share of the series, as the runtime partitions them. */
    @Benchmark
    @OperationsPerInvocation(W1.N)
    public long summariseAllCores() throws Exception {
        List<Future<long[]>> parts = new ArrayList<>();
        for (Event[] part : byPartition) {
            parts.add(pool.submit(() -> summarise(part)));
        }
        long windows = 0;
        long counted = 0;
        long tooLate = 0;
        for (Future<long[]> f : parts) {
            long[] r = f.get();
            windows += r[0];
            counted += r[1];
            tooLate += r[2];
        }
        return check(windows, counted, tooLate);
    }

    /**
     * {windows of the W1 query (service, operation), events counted in them, events too late}. The summariser
     * also keeps each event under its service (for the estate overview): every event must be counted there too.
     */
    static long[] summarise(Event[] events) {
        Summariser s = new Summariser();
        long[] tally = new long[3];
        long max = Long.MIN_VALUE;
        for (int i = 0; i < events.length; i++) {
            Event e = events[i];
            s.accept(e);
            if (e.timeMicros() > max) {
                max = e.timeMicros();
            }
            if ((i & 4095) == 4095) {
                tally(s.advance(max - W1.JITTER), tally);
            }
        }
        tally(s.advance(Long.MAX_VALUE), tally);
        if (tally[2] != tally[1]) {
            throw new IllegalStateException("wrong result: " + tally[2] + " events under their service, " + tally[1]
                    + " under their operation");
        }
        return new long[] {tally[0], tally[1], s.tooLate()};
    }

    private static void tally(List<ClosedWindow> windows, long[] tally) {
        for (ClosedWindow w : windows) {
            if (w.key().dimension() == Dimension.SERVICE_OPERATION) {
                tally[0]++;
                tally[1] += w.window().count();
            } else if (w.key().dimension() == Dimension.SERVICE) {
                tally[2] += w.window().count();
            }
        }
    }

    static long check(long windows, long counted, long tooLate) {
        if (windows != 40_000 || counted != W1.N || tooLate != 0) {
            throw new IllegalStateException("wrong result: " + windows + " windows, " + counted + " counted, "
                    + tooLate + " too late");
        }
        return windows;
    }
}
