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

    /** The q-quantile in ms, or NaN when nothing was recorded. */
    public synchronized double at(double q) {
        return sketch.isEmpty() ? Double.NaN : sketch.getValueAtQuantile(q);
    }

    public synchronized double max() {
        return sketch.isEmpty() ? Double.NaN : max;
    }
}
