package dev.vigil.store;

/**
 * The acknowledgement of an append: the events are committed and will survive a crash.
 *
 * @param firstSeq the sequence number of the first event of the append, 0 when it had none
 * @param count    how many events were committed
 */
public record Appended(long firstSeq, int count) {
}
