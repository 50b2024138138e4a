package dev.vigil.batch.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the reference service applied, by idempotency key: the evidence that a batch run applied every
 * record exactly once. A record whose key was applied before is not applied again; the ledger counts it as
 * a duplicate submission instead (a retry after a lost reply, or a resumed run re-sending its last records).
 */
public final class Ledger {

    /** The outcome of submitting one record. */
    public enum Outcome {
        APPLIED, DUPLICATE
    }

    private final Map<String, Long> applied = new ConcurrentHashMap<>();
    private final AtomicLong order = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();

    public Outcome apply(String key) {
        if (applied.putIfAbsent(key, order.incrementAndGet()) == null) {
            return Outcome.APPLIED;
        }
        duplicates.incrementAndGet();
        return Outcome.DUPLICATE;
    }

    public int applied() {
        return applied.size();
    }

    public long duplicateSubmissions() {
        return duplicates.get();
    }

    /** The keys applied, for a test or an audit to compare with the input. */
    public java.util.Set<String> keys() {
        return java.util.Collections.unmodifiableSet(applied.keySet());
    }

    public void clear() {
        applied.clear();
        duplicates.set(0);
    }
}
