package dev.vigil.bench;

import dev.vigil.correlate.ProcessDef;
import dev.vigil.correlate.Processes;
import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.order.LatenessPolicy;
import dev.vigil.pipeline.Pipeline;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Heap held by open cases: the pipeline takes {@code cases} orders of two events each (Placed, then Paid,
 * by order id; an order stays open for an hour), and the heap in use after full collections is compared
 * with the heap before. Events are made on the fly and not kept, so what remains is the pipeline's state:
 * the correlator's cases and key index, the event clock and the open windows.
 *
 * <p>Run: {@code java -Xmx4g -cp vigil-bench/target/benchmarks.jar dev.vigil.bench.OpenCasesHeap [cases] [partitions]}
 */
public final class OpenCasesHeap {

    public static void main(String[] args) {
        int cases = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        Processes processes = new Processes(List.of(new ProcessDef("orders", List.of("Placed", "Paid", "Shipped"),
                "Placed", Set.of("Shipped"), List.of("orderId"), 3_600_000_000L)));
        LatenessPolicy policy = new LatenessPolicy(5_000_000L, 600_000_000L, 0);
        long before = usedAfterGc();
        Pipeline p = new Pipeline(processes, policy, partitions);
        long t0 = W1.T0;
        long seq = 0;
        long changes = 0;
        for (int c = 0; c < cases; c++) {
            Map<String, String> key = Map.of("orderId", "order-" + c);
            // Spread over ten minutes of event time, so that windows close and the clock moves as in life.
            long t = t0 + (long) c * 600_000_000L / cases;
            p.accept(new Event(t, "shop", "Placed", EventKind.ACTIVITY, key, Outcome.OK, null, null, null, null), ++seq, 0);
            p.accept(new Event(t + 1_000, "shop", "Paid", EventKind.ACTIVITY, key, Outcome.OK, null, null, null, null), ++seq, 0);
            if ((c & 4095) == 4095) {
                changes += p.advance().cases().size();
            }
        }
        changes += p.advance().cases().size();
        long open = 0;
        for (int i = 0; i < p.partitions(); i++) {
            open += p.partition(i).cases();
        }
        long after = usedAfterGc();
        if (open != cases) {
            throw new IllegalStateException(open + " open cases, expected " + cases);
        }
        System.out.printf(Locale.ROOT, "%,d open cases, %d partition(s): %,.1f MiB of heap (%,.0f bytes per case); "
                        + "%,d case changes emitted on the way%n",
                open, partitions, (after - before) / 1048576.0, (double) (after - before) / cases, changes);
        // Keep the pipeline reachable until the measurement is taken.
        if (p.partitions() < 0) {
            System.out.println(p);
        }
    }

    static long usedAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
