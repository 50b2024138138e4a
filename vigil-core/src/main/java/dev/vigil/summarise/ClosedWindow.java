package dev.vigil.summarise;

/** A window the watermark has passed: final (until a late event amends it, later). */
public record ClosedWindow(KpiKey key, WindowSpan span, long startMicros, KpiWindow window) {

    public long endMicros() {
        return startMicros + span.micros();
    }
}
