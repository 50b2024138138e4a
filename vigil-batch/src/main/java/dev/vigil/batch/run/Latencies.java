package dev.vigil.batch.run;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;

/** Latencies in milliseconds: percentiles within 1% (DDSketch) and the exact maximum. Thread-safe. */
public final class Latencies {

    private final DDSketch sketch = DDSketches.unboundedDense(0.01);
    private double max;

    public synchronized void add(double millis) {
        sketch.accept(Math.max(millis, 0));
        max = Math.max(max, millis);
    }

    public synchronized long count() {
        return (long) sketch.getCount();
    }

    /** The q-quantile in ms, or NaN when nothing was recorded; never above the maximum seen. */
    public synchronized double at(double q) {
        // The sketch answers within 1% of the true value, which near the top can be above the maximum.
        return sketch.isEmpty() ? Double.NaN : Math.min(sketch.getValueAtQuantile(q), max);
    }

    public synchronized double max() {
        return sketch.isEmpty() ? Double.NaN : max;
    }
}
