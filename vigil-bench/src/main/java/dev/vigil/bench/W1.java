package dev.vigil.bench;

import dev.vigil.summarise.ClosedWindow;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.KpiKey;
import dev.vigil.summarise.Summariser;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Workload W1 of issue 3 through the summarise operator alone, one thread.
 *
 * <p>10 million call events over 4 minutes of event time, service uniform in 0..999, operation in 0..9, 1%
 * errors, durations log-normal (median 20 ms, sigma 1), each time moved back by a uniform jitter in [0, 2 s);
 * generated into arrays before timing. Per (service, operation) per one-minute window: count, errors and a
 * DDSketch at 1%; watermark = max event time minus 2 s, advanced every 4,096 events. Base times start 2 s
 * after a minute boundary so that the jitter keeps every event inside the 4 windows: a correct run gives
 * 40,000 windows whose counts sum to 10 million.
 *
 * <p>Run: {@code mvn -q -pl vigil-bench -am package -DskipTests && java -Xmx4g -cp
 * vigil-bench/target/classes:vigil-core/target/classes:$(ls ~/.m2/repository/com/datadoghq/sketches-java/0.8.3/*.jar)
 * dev.vigil.bench.W1 [iterations]}
 */
public final class W1 {

    static final int N = 10_000_000;

    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        long t0 = 29_916_667L * 60_000_000L; // a minute boundary
        long span = 4 * 60_000_000L - 2_000_000L;
        SplittableRandom r = new SplittableRandom(42);
        int[] key = new int[N];
        long[] time = new long[N];
        long[] duration = new long[N];
        boolean[] failed = new boolean[N];
        for (int i = 0; i < N; i++) {
            key[i] = r.nextInt(1000) * 10 + r.nextInt(10);
            time[i] = t0 + 2_000_000L + (long) ((double) i * span / N) - r.nextLong(2_000_000L);
            duration[i] = (long) (20_000.0 * Math.exp(r.nextGaussian()));
            failed[i] = r.nextInt(100) == 0;
        }
        KpiKey[] keys = new KpiKey[10_000];
        for (int s = 0; s < 1000; s++) {
            for (int o = 0; o < 10; o++) {
                keys[s * 10 + o] = new KpiKey(Dimension.SERVICE_OPERATION, "service-" + s, "op-" + o);
            }
        }
        double[] rates = new double[iterations];
        for (int it = -2; it < iterations; it++) {
            System.gc();
            long start = System.nanoTime();
            Summariser s = new Summariser();
            long windows = 0;
            long counted = 0;
            long maxTime = Long.MIN_VALUE;
            for (int i = 0; i < N; i++) {
                long t = time[i];
                s.accept(keys[key[i]], t, duration[i], failed[i]);
                if (t > maxTime) {
                    maxTime = t;
                }
                if ((i & 4095) == 4095) {
                    for (ClosedWindow w : s.advance(maxTime - 2_000_000L)) {
                        windows++;
                        counted += w.window().count();
                    }
                }
            }
            for (ClosedWindow w : s.advance(Long.MAX_VALUE)) {
                windows++;
                counted += w.window().count();
            }
            long nanos = System.nanoTime() - start;
            if (windows != 40_000 || counted != N || s.tooLate() != 0) {
                throw new IllegalStateException("wrong result: " + windows + " windows, " + counted + " counted, "
                        + s.tooLate() + " too late");
            }
            double rate = N / (nanos / 1e9);
            System.out.printf(Locale.ROOT, "%s %d: %,.0f events/s (%d windows, %,d events)%n",
                    it < 0 ? "warmup" : "iteration", Math.abs(it), rate, windows, counted);
            if (it >= 0) {
                rates[it] = rate;
            }
        }
        Arrays.sort(rates);
        System.out.printf(Locale.ROOT, "W1 summarise, one thread: median %,.0f events/s (min %,.0f, max %,.0f) over %d iterations%n",
                rates[rates.length / 2], rates[0], rates[rates.length - 1], rates.length);
    }
}
