package dev.vigil.flink;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.order.LatenessPolicy;
import dev.vigil.pipeline.Arrival;
import dev.vigil.pipeline.MergedWindow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * Workload W1 of issue 15 through Flink, two ways, on one local Flink (a MiniCluster in this JVM): Flink's own
 * {@code keyBy} + tumbling event-time window + {@code AggregateFunction} (count, errors, a DDSketch at 1%), and
 * Vigil's topology (order, summarise by service, merge) as the Flink job runs it. Both make their event objects
 * inside the job from a sequence number, the same events for both. Not a test: a load generator, run on demand
 * (docs/BENCHMARKS.md gives the command).
 *
 * <p>Arguments: events (default 10,000,000), runs per case (default 3), and optionally the cases to run (a regular
 * expression over "flink-window p1", "vigil p1", "flink-window p2", "vigil p2"; default all).
 */
public final class W1Bench {

    static final int SERVICES = 1000;
    static final int OPERATIONS = 10;
    /** 100,000 events a minute of event time: 100 one-minute windows for 10 M events. */
    static final long STEP_MICROS = 600;
    static final long T0 = 1_800_000_000_000_000L;
    static final int PER_RECORD = 100;

    static final LongAdder WINDOWS = new LongAdder();
    static final LongAdder COUNTED = new LongAdder();

    /** Event i: its service and operation, time (2 s of disorder), duration and outcome, all from i. */
    static long mix(long i) {
        long z = i * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static long timeOf(long i) {
        return T0 + i * STEP_MICROS + Math.floorMod(mix(i), 2_000_000L) - 1_000_000L;
    }

    static Event event(long i) {
        long m = mix(i ^ 0x5DEECE66DL);
        int service = (int) Math.floorMod(m, (long) SERVICES);
        int op = (int) Math.floorMod(m >>> 20, (long) OPERATIONS);
        long duration = 1_000 + Math.floorMod(m >>> 32, 200_000L);
        boolean failed = Math.floorMod(m >>> 12, 100L) == 0;
        return new Event(timeOf(i), SERVICE_NAMES[service], OPERATION_NAMES[op], EventKind.CALL, Map.of(),
                failed ? Outcome.ERROR : Outcome.OK, duration, null, null, Map.of());
    }

    static final String[] SERVICE_NAMES = new String[SERVICES];
    static final String[] OPERATION_NAMES = new String[OPERATIONS];

    static {
        for (int s = 0; s < SERVICES; s++) {
            SERVICE_NAMES[s] = "service-" + s;
        }
        for (int o = 0; o < OPERATIONS; o++) {
            OPERATION_NAMES[o] = "op-" + o;
        }
    }

    /** Flink's own: the accumulator of one window. */
    public static final class Acc {
        long count;
        long errors;
        DDSketch sketch = DDSketches.unboundedDense(0.01);
    }

    public record Result(String key, long count, long errors, double p50, double p95, double p99) {
    }

    static final class Agg implements AggregateFunction<Event, Acc, Result> {
        @Override
        public Acc createAccumulator() {
            return new Acc();
        }

        @Override
        public Acc add(Event e, Acc a) {
            a.count++;
            if (e.failed()) {
                a.errors++;
            }
            a.sketch.accept(e.durationMicros());
            return a;
        }

        @Override
        public Result getResult(Acc a) {
            return new Result("", a.count, a.errors, a.sketch.getValueAtQuantile(0.5), a.sketch.getValueAtQuantile(0.95),
                    a.sketch.getValueAtQuantile(0.99));
        }

        @Override
        public Acc merge(Acc a, Acc b) {
            a.count += b.count;
            a.errors += b.errors;
            a.sketch.mergeWith(b.sketch);
            return a;
        }
    }

    static double flinkWindows(long n, int parallelism) throws Exception {
        StreamExecutionEnvironment env = env(parallelism);
        env.fromSequence(0, n - 1)
                .map(W1Bench::event).returns(Event.class)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Event>forBoundedOutOfOrderness(Duration.ofSeconds(2))
                        .withTimestampAssigner((e, ts) -> e.timeMicros() / 1000))
                .keyBy(e -> e.source() + '/' + e.name(), Types.STRING)
                .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
                .aggregate(new Agg())
                .map(r -> {
                    WINDOWS.increment();
                    COUNTED.add(r.count());
                    return r;
                })
                .sinkTo(new DiscardingSink<>());
        return time(env);
    }

    static double vigil(long n, int parallelism) throws Exception {
        StreamExecutionEnvironment env = env(parallelism);
        LatenessPolicy policy = new LatenessPolicy(2_000_000L, 600_000_000L, 0);
        var journal = env.fromSequence(0, n / PER_RECORD - 1).setParallelism(1)
                .map(r -> {
                    List<Event> events = new ArrayList<>(PER_RECORD);
                    for (long i = r * PER_RECORD; i < (r + 1) * PER_RECORD; i++) {
                        events.add(event(i));
                    }
                    return (Arrival) new Arrival.Events(r + 1, r * PER_RECORD + 1, timeOf((r + 1) * PER_RECORD), events);
                }).returns(VigilJob.arrivalType()).setParallelism(1);
        VigilJob.topology(journal, new TopologySpec(List.of(), policy)).windows()
                .map(w -> {
                    if (w.key().dimension() == dev.vigil.summarise.Dimension.SERVICE_OPERATION) {
                        WINDOWS.increment();
                        COUNTED.add(w.window().count());
                    }
                    return w;
                }).returns(VigilJob.mergedWindowType())
                .sinkTo(new DiscardingSink<>());
        return time(env);
    }

    static StreamExecutionEnvironment env(int parallelism) {
        Configuration c = new Configuration();
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, 8);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, c);
        return env;
    }

    /** Events per second of one run, start to finish (job start-up included, a second or so of it). */
    static double time(StreamExecutionEnvironment env) throws Exception {
        WINDOWS.reset();
        COUNTED.reset();
        long t = System.nanoTime();
        env.execute();
        return (System.nanoTime() - t) / 1e9;
    }

    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String only = args.length > 2 ? args[2] : ".*";
        String[] cases = java.util.stream.Stream.of("flink-window p1", "vigil p1", "flink-window p2", "vigil p2")
                .filter(c -> c.matches(only)).toArray(String[]::new);
        double[][] rates = new double[cases.length][runs];
        // A warm-up of each, not counted: the JIT and Flink's class loading.
        if (String.join(",", cases).contains("flink")) {
            flinkWindows(n / 10, 1);
        }
        if (String.join(",", cases).contains("vigil")) {
            vigil(n / 10, 1);
        }
        for (int r = 0; r < runs; r++) {
            for (int c = 0; c < cases.length; c++) {
                int p = cases[c].endsWith("p1") ? 1 : 2;
                double secs = cases[c].startsWith("flink") ? flinkWindows(n, p) : vigil(n, p);
                rates[c][r] = n / secs;
                System.out.printf(Locale.ROOT, "%-16s run %d: %,.0f events/s (%.1f s), %,d service-operation windows, %,d events in them%n",
                        cases[c], r + 1, rates[c][r], secs, WINDOWS.sum(), COUNTED.sum());
            }
        }
        for (int c = 0; c < cases.length; c++) {
            double[] x = rates[c].clone();
            Arrays.sort(x);
            System.out.printf(Locale.ROOT, "%-16s median %,.0f events/s (min %,.0f, max %,.0f)%n", cases[c], x[x.length / 2], x[0],
                    x[x.length - 1]);
        }
    }
}
