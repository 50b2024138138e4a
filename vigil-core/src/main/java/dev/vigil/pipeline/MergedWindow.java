package dev.vigil.pipeline;

import dev.vigil.summarise.KpiKey;
import dev.vigil.summarise.KpiWindow;

/**
 * A one-minute window of one series over all partitions, as emitted to the store: revision 1 when the
 * watermark of every partition has passed it, and a higher revision each time late events amend it.
 */
public record MergedWindow(KpiKey key, long startMicros, KpiWindow window, int revision) {
}
