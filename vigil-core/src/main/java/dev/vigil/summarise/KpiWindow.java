package dev.vigil.summarise;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.mapping.CubicallyInterpolatedMapping;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;

/**
 * What one series did in one time window: how many events, how many failed, and a DDSketch of their
 * durations. Windows merge exactly: counts add, sketches merge bucket by bucket, so a merged window answers
 * as if it had seen all the events itself, whatever the grouping (partitions, minutes into hours).
 *
 * <p>Percentiles are within {@link #RELATIVE_ACCURACY} of the exact value (relative to the value), for any
 * data and after any merges: that is DDSketch's guarantee, and a property test checks it.
 */
public final class KpiWindow {

    /** The sketch's relative accuracy: a reported percentile is within 1% of the true one. */
    public static final double RELATIVE_ACCURACY = 0.01;

    /**
     * The mapping {@code DDSketches.unboundedDense} would make, made once and shared: it is immutable, and one
     * per window was an allocation per window and measured slower (docs/BENCHMARKS.md).
     */
    private static final IndexMapping MAPPING = new CubicallyInterpolatedMapping(RELATIVE_ACCURACY);

    private long count;
    private long errors;
    private long timed;
    private final DDSketch durations;

    public KpiWindow() {
        this.durations = new DDSketch(MAPPING, UnboundedSizeDenseStore::new);
    }

    private KpiWindow(long count, long errors, long timed, DDSketch durations) {
        this.count = count;
        this.errors = errors;
        this.timed = timed;
        this.durations = durations;
    }

    /**
     * Counts one event.
     *
     * @param durationMicros its duration, or a negative number when it has none
     * @param failed         whether it counts against the error ratio
     */
    public void accept(long durationMicros, boolean failed) {
        count++;
        if (failed) {
            errors++;
        }
        if (durationMicros >= 0) {
            timed++;
            // DDSketch's relative guarantee holds for positive values; a zero duration is stored in its
            // zero bucket, which the sketch handles exactly.
            durations.accept(durationMicros);
        }
    }

    /** Folds another window of the same series into this one; returns this one (for {@code Map.merge}). */
    public KpiWindow mergeWith(KpiWindow other) {
        count += other.count;
        errors += other.errors;
        timed += other.timed;
        durations.mergeWith(other.durations);
        return this;
    }

    /** The sketch in DDSketch's own binary encoding (mapping included), for snapshots and the store. */
    public byte[] sketchBytes() {
        try {
            com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput out =
                    com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput.withDefaultInitialCapacity();
            durations.encode(out, false);
            return out.trimmedCopy();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("encoding into memory cannot fail", e);
        }
    }

    /** Rebuilds a window from its counts and {@link #sketchBytes()}. */
    public static KpiWindow of(long count, long errors, long timed, byte[] sketch) {
        try {
            DDSketch d = DDSketch.decode(com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput.wrap(sketch),
                    UnboundedSizeDenseStore::new);
            return new KpiWindow(count, errors, timed, d);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a DDSketch encoding: " + e.getMessage(), e);
        }
    }

    /**
     * Folds in a window given as its counts and {@link #sketchBytes()}, without building it first: reading a
     * dimension over a day merges hundreds of thousands of stored windows, and a sketch made for each only to be
     * merged and dropped was most of that time.
     */
    public KpiWindow mergeEncoded(long count, long errors, long timed, byte[] sketch) {
        try {
            durations.decodeAndMergeWith(com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput.wrap(sketch));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a DDSketch encoding: " + e.getMessage(), e);
        }
        this.count += count;
        this.errors += errors;
        this.timed += timed;
        return this;
    }

    /** Counts and sketch, for snapshots: {@link #read} gives back an equal window. */
    public void write(java.io.DataOutput out) throws java.io.IOException {
        out.writeLong(count);
        out.writeLong(errors);
        out.writeLong(timed);
        byte[] sketch = sketchBytes();
        out.writeInt(sketch.length);
        out.write(sketch);
    }

    public static KpiWindow read(java.io.DataInput in) throws java.io.IOException {
        long c = in.readLong();
        long e = in.readLong();
        long t = in.readLong();
        byte[] sketch = new byte[in.readInt()];
        in.readFully(sketch);
        return of(c, e, t, sketch);
    }

    public KpiWindow copy() {
        return new KpiWindow(count, errors, timed, durations.copy());
    }

    public long count() {
        return count;
    }

    public long errors() {
        return errors;
    }

    /** Events that carried a duration: the population the percentiles describe. */
    public long timed() {
        return timed;
    }

    public double errorRatio() {
        return count == 0 ? 0 : (double) errors / count;
    }

    /** The duration at quantile q (0..1) in microseconds, or NaN when no event of the window had a duration. */
    public double durationAt(double q) {
        if (timed == 0) {
            return Double.NaN;
        }
        return durations.getValueAtQuantile(q);
    }

    /**
     * How many timed events took at most {@code micros}, from the sketch: events whose bucket's value is at
     * most the threshold, so exact except for the bucket holding the threshold (1% wide).
     */
    public double countAtMost(long micros) {
        if (timed == 0) {
            return 0;
        }
        var mapping = durations.getIndexMapping();
        double[] under = {durations.getCount() - durations.getPositiveValueStore().getTotalCount()
                - durations.getNegativeValueStore().getTotalCount()};
        durations.getPositiveValueStore().forEach((index, n) -> {
            if (mapping.value(index) <= micros) {
                under[0] += n;
            }
        });
        return under[0];
    }

    /** Counts and percentiles alike: two windows that saw the same events in any grouping are equal here. */
    public boolean sameAs(KpiWindow o) {
        if (count != o.count || errors != o.errors || timed != o.timed) {
            return false;
        }
        for (double q : new double[] {0, 0.5, 0.9, 0.95, 0.99, 1}) {
            double a = durationAt(q);
            double b = o.durationAt(q);
            if (!(Double.isNaN(a) && Double.isNaN(b)) && a != b) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "KpiWindow[count=" + count + ", errors=" + errors + ", p50=" + durationAt(0.5) + ", p99=" + durationAt(0.99) + "]";
    }
}
