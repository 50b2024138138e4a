package dev.vigil.operator;

/**
 * The one shape every stage of Vigil's pipeline has, whichever runtime schedules it: the embedded runtime's
 * threads, the one-thread {@code Pipeline} of the tests and benchmarks, or a Flink task. In the spirit of Kafka
 * Streams' processors and Flink's keyed functions, and as strict:
 *
 * <ul>
 *   <li>The runtime hands it elements and event-time progress, in the order they were in the journal; it hands
 *       out what they produce through an {@link Output}. It never starts a thread and never reads a clock: its
 *       outputs are a function of what it was handed, so a replay gives them again.</li>
 *   <li>Its state is kept per key (the key a {@linkplain Stage stage} routes its elements by), snapshotted per
 *       key and restored per key. A runtime may restore the keys on another number of instances than took them
 *       (a rescale): each instance gets the keys that now route to it, and nothing else.</li>
 *   <li>Event time arrives as {@link #onWatermark} calls: a watermark (outputs before it are due) and a final
 *       line (outputs before it never change again). Every instance of a stage is told every watermark, also
 *       one that received no element for a while.</li>
 * </ul>
 *
 * @param <I> what it takes
 * @param <O> what it hands out
 */
public interface Operator<I, O> {

    /** Takes one element, routed here by its key. */
    void onElement(I element, Output<O> out);

    /** Event time moved on: hand out what it made due. Calls never go back in time; a repeat is a no-op. */
    void onWatermark(long watermark, long finalBefore, Output<O> out);

    /**
     * Hands out what the operator holds back to coalesce (case changes, say, which a burst would otherwise
     * repeat). The runtime calls it when it wants outputs to be visible, and always before a snapshot; when it
     * calls it changes how often an output is repeated, never what the last one says.
     */
    default void flush(Output<O> out) {
    }

    /** Writes its state, one entry per key. Call after {@link #flush}: held-back outputs are not state. */
    void snapshot(KeyedState.Sink sink);

    /** Takes in the state one key had when {@link #snapshot} wrote it. Call on a fresh instance, before elements. */
    void restore(String key, byte[] state);
}
