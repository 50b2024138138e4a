package dev.vigil.batch.run;

import java.util.TreeSet;

/**
 * Which records are done (applied, or rejected with the reason written): every record below
 * {@link #doneBelow()}, and a few above it that finished out of order. Requests finish out of order, so
 * the set above stays about as large as what is in flight. A checkpoint stores exactly this.
 */
final class Completion {

    private long doneBelow;
    private final TreeSet<Long> above = new TreeSet<>();

    Completion(long doneBelow, Iterable<Long> above) {
        this.doneBelow = doneBelow;
        above.forEach(this.above::add);
    }

    synchronized boolean isDone(long index) {
        return index < doneBelow || above.contains(index);
    }

    synchronized void done(long index) {
        if (index < doneBelow) {
            return;
        }
        above.add(index);
        while (above.remove(doneBelow)) {
            doneBelow++;
        }
    }

    synchronized long doneBelow() {
        return doneBelow;
    }

    synchronized long[] above() {
        return above.stream().mapToLong(Long::longValue).toArray();
    }
}
