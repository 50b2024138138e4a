package dev.vigil.bench;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.mapping.CubicallyInterpolatedMapping;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import dev.vigil.correlate.Processes;
import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.operator.Output;
import dev.vigil.order.Lateness;
import dev.vigil.pipeline.MergedWindow;
import dev.vigil.pipeline.Pipeline;
import dev.vigil.pipeline.SummariseOperator;
import dev.vigil.pipeline.Timed;
import dev.vigil.summarise.ClosedWindow;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.summarise.WindowSpan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Workload W1 run by several contenders side by side in one JVM, the way issue 15 asks: every contender is fed
 * the same pre-generated arrays of primitives and makes its own event object per input inside the timed loop
 * (as a user's events arrive: one object per input, not a prepared array of them), and every contender's
 * windows are checked equal, window by window (count, errors, p50, p95, p99), to the plain loop's.
 *
 * <pre>
 * java -Xms4g -Xmx4g -XX:+AlwaysPreTouch -cp vigil-bench/target/benchmarks.jar dev.vigil.bench.W1Contest [rounds] [contender...]
 * </pre>
 *
 * <p>Rounds are interleaved (each contender once per round, in turn) after one warm-up round, so that the
 * machine's drift touches every contender alike. Prints events per second per run, then the median and range
 * of each contender and its ratio to the plain loop's median.
 */
public final class W1Contest {

    /** The inputs, one array per field, as a source would hand them over. */
    record Inputs(long[] time, int[] service, int[] operation, boolean[] failed, long[] duration, String[] services,
                  String[] operations) {

        static Inputs generate() {
            String[] services = new String[1000];
            for (int s = 0; s < services.length; s++) {
                services[s] = "service-" + s;
            }
            String[] ops = new String[10];
            for (int o = 0; o < ops.length; o++) {
                ops[o] = "op-" + o;
            }
            int n = W1.N;
            long[] time = new long[n];
            int[] service = new int[n];
            int[] operation = new int[n];
            boolean[] failed = new boolean[n];
            long[] duration = new long[n];
            // W1.generate makes its events from these arrays: JMH's benchmarks and this harness see the same events.
            SplittableRandom r = new SplittableRandom(42);
            for (int i = 0; i < n; i++) {
                time[i] = W1.T0 + W1.JITTER + (long) ((double) i * W1.SPAN / n) - r.nextLong(W1.JITTER);
                service[i] = r.nextInt(1000);
                operation[i] = r.nextInt(10);
                failed[i] = r.nextInt(100) == 0;
                duration[i] = (long) (20_000.0 * Math.exp(r.nextGaussian()));
            }
            return new Inputs(time, service, operation, failed, duration, services, ops);
        }

        Event event(int i) {
            return new Event(time[i], services[service[i]], operations[operation[i]], EventKind.CALL, Map.of(),
                    failed[i] ? Outcome.ERROR : Outcome.OK, duration[i], null, null, Map.of());
        }
    }

    /** One window of the W1 query, as every contender must report it. */
    record WindowId(String service, String operation, long start) implements Comparable<WindowId> {
        @Override
        public int compareTo(WindowId o) {
            int c = Long.compare(start, o.start);
            if (c == 0) {
                c = service.compareTo(o.service);
            }
            return c != 0 ? c : operation.compareTo(o.operation);
        }
    }

    record Figures(long count, long errors, double p50, double p95, double p99) {
        static Figures of(KpiWindow w) {
            return new Figures(w.count(), w.errors(), w.durationAt(0.5), w.durationAt(0.95), w.durationAt(0.99));
        }
    }

    /** A contender: runs the whole input and returns every window it handed out. */
    interface Contender {
        Map<WindowId, Figures> run(Inputs in);
    }

    /**
     * What anyone would write first: one event record per input, a map per minute keyed by (service,
     * operation), count, errors and a DDSketch (the same mapping and store as Vigil's), a minute handed out when
     * the watermark (max event time − 2 s) passes its end.
     */
    static final class PlainLoop implements Contender {
        record Call(long time, String service, String operation, boolean failed, long duration) {
        }

        record Key(String service, String operation) {
        }

        static final class Agg {
            long count;
            long errors;
            final DDSketch sketch = new DDSketch(new CubicallyInterpolatedMapping(KpiWindow.RELATIVE_ACCURACY),
                    UnboundedSizeDenseStore::new);
        }

        @Override
        public Map<WindowId, Figures> run(Inputs in) {
            Map<WindowId, Figures> out = new HashMap<>(65_536);
            TreeMap<Long, HashMap<Key, Agg>> open = new TreeMap<>();
            long minute = WindowSpan.MINUTE.micros();
            long max = Long.MIN_VALUE;
            for (int i = 0; i < W1.N; i++) {
                Call c = new Call(in.time[i], in.services[in.service[i]], in.operations[in.operation[i]], in.failed[i],
                        in.duration[i]);
                long start = Math.floorDiv(c.time(), minute) * minute;
                Agg a = open.computeIfAbsent(start, s -> new HashMap<>()).computeIfAbsent(
                        new Key(c.service(), c.operation()), k -> new Agg());
                a.count++;
                if (c.failed()) {
                    a.errors++;
                }
                a.sketch.accept(c.duration());
                if (c.time() > max) {
                    max = c.time();
                    while (!open.isEmpty() && open.firstKey() + minute <= max - W1.JITTER) {
                        handOut(open.pollFirstEntry(), out);
                    }
                }
            }
            while (!open.isEmpty()) {
                handOut(open.pollFirstEntry(), out);
            }
            return out;
        }

        private static void handOut(Map.Entry<Long, HashMap<Key, Agg>> m, Map<WindowId, Figures> out) {
            m.getValue().forEach((k, a) -> out.put(new WindowId(k.service(), k.operation(), m.getKey()),
                    new Figures(a.count, a.errors, a.sketch.getValueAtQuantile(0.5), a.sketch.getValueAtQuantile(0.95),
                            a.sketch.getValueAtQuantile(0.99))));
        }
    }

    /**
     * Vigil's summarise operator through the operator contract, alone: each input made into a canonical
     * {@link Event} and handed over with the watermark (max event time − 2 s) it found, as the order stage hands
     * events on.
     */
    static final class Summarise implements Contender {
        @Override
        public Map<WindowId, Figures> run(Inputs in) {
            Map<WindowId, Figures> out = new HashMap<>(65_536);
            SummariseOperator op = new SummariseOperator();
            Output<ClosedWindow> sink = w -> collect(w, out);
            long max = Long.MIN_VALUE;
            for (int i = 0; i < W1.N; i++) {
                Event e = in.event(i);
                long watermark = max == Long.MIN_VALUE ? Long.MIN_VALUE : max - W1.JITTER;
                op.onElement(new Timed(e, i + 1, Lateness.ON_TIME, watermark, watermark, -1, null, -1, List.of()), sink);
                if (e.timeMicros() > max) {
                    max = e.timeMicros();
                }
            }
            op.onWatermark(Long.MAX_VALUE, Long.MAX_VALUE, sink);
            return out;
        }

        private static void collect(ClosedWindow w, Map<WindowId, Figures> out) {
            if (w.key().dimension() == Dimension.SERVICE_OPERATION) {
                out.put(new WindowId(w.key().primary(), w.key().secondary(), w.startMicros()), Figures.of(w.window()));
            }
        }
    }

    /**
     * Vigil's whole topology on one thread ({@link Pipeline}, one partition): the order stage (event clock,
     * lateness), summarise, correlate and merge, advanced every 4,096 events as in {@code PipelineBench}.
     */
    static final class OneThreadPipeline implements Contender {
        @Override
        public Map<WindowId, Figures> run(Inputs in) {
            Map<WindowId, Figures> out = new HashMap<>(65_536);
            Pipeline p = new Pipeline(Processes.NONE, W1.POLICY, 1);
            for (int i = 0; i < W1.N; i++) {
                p.accept(in.event(i), i + 1, 0);
                if ((i & 4095) == 4095) {
                    collect(p.advance().windows(), out);
                }
            }
            p.accept(new Event(W1.T0 + 3_600_000_000L, "end", "end", EventKind.OTHER, null, Outcome.OK, null, null, null,
                    null), W1.N + 1, 0);
            collect(p.advance().windows(), out);
            return out;
        }

        private static void collect(List<MergedWindow> windows, Map<WindowId, Figures> out) {
            for (MergedWindow w : windows) {
                if (w.key().dimension() == Dimension.SERVICE_OPERATION) {
                    out.put(new WindowId(w.key().primary(), w.key().secondary(), w.startMicros()), Figures.of(w.window()));
                }
            }
        }
    }

    static final Map<String, Contender> CONTENDERS = new LinkedHashMap<>();

    static {
        CONTENDERS.put("plain-loop", new PlainLoop());
        CONTENDERS.put("vigil-summarise", new Summarise());
        CONTENDERS.put("vigil-pipeline", new OneThreadPipeline());
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<String> names = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (!CONTENDERS.containsKey(args[i])) {
                throw new IllegalArgumentException("no contender " + args[i] + "; known: " + CONTENDERS.keySet());
            }
            names.add(args[i]);
        }
        if (names.isEmpty()) {
            names.addAll(CONTENDERS.keySet());
        }
        Inputs in = Inputs.generate();
        System.out.printf("W1: %,d events generated; %d round(s) after a warm-up round; contenders %s%n", W1.N, rounds,
                names);
        Map<WindowId, Figures> reference = new PlainLoop().run(in);
        if (reference.size() != 40_000) {
            throw new IllegalStateException("the plain loop gave " + reference.size() + " windows, expected 40,000");
        }
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (int round = 0; round <= rounds; round++) {
            for (String name : names) {
                System.gc();
                long t0 = System.nanoTime();
                Map<WindowId, Figures> got = CONTENDERS.get(name).run(in);
                long nanos = System.nanoTime() - t0;
                check(name, got, reference);
                double rate = W1.N * 1e9 / nanos;
                System.out.printf("%s %-18s %6.2f M events/s%n", round == 0 ? "warm-up" : "round " + round, name, rate / 1e6);
                if (round > 0) {
                    rates.computeIfAbsent(name, k -> new ArrayList<>()).add(rate);
                }
            }
        }
        double loop = rates.containsKey("plain-loop") ? median(rates.get("plain-loop")) : Double.NaN;
        System.out.println();
        System.out.println("| contender | events/s, median (min–max) | against the plain loop |");
        System.out.println("|---|---|---|");
        rates.forEach((name, r) -> System.out.printf("| %s | %.2f M (%.2f–%.2f M) | %s |%n", name, median(r) / 1e6,
                r.stream().mapToDouble(Double::doubleValue).min().orElseThrow() / 1e6,
                r.stream().mapToDouble(Double::doubleValue).max().orElseThrow() / 1e6,
                Double.isNaN(loop) ? "—" : String.format("%.2fx", median(r) / loop)));
    }

    /** Throws, naming the first difference, unless every window equals the reference's. */
    static void check(String name, Map<WindowId, Figures> got, Map<WindowId, Figures> reference) {
        if (got.equals(reference)) {
            return;
        }
        TreeMap<WindowId, Figures> sorted = new TreeMap<>(reference);
        for (Map.Entry<WindowId, Figures> e : sorted.entrySet()) {
            Figures g = got.get(e.getKey());
            if (!e.getValue().equals(g)) {
                throw new IllegalStateException(name + ": window " + e.getKey() + " is " + g + ", the plain loop's is "
                        + e.getValue());
            }
        }
        throw new IllegalStateException(name + ": " + got.size() + " windows, the plain loop " + reference.size());
    }

    static double median(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
