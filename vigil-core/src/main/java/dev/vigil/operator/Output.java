package dev.vigil.operator;

/** Where an {@link Operator} hands out what it produced. */
public interface Output<O> {

    /** Hands out one element to the stage downstream. */
    void emit(O element);

    /**
     * The source stage's word that event time moved on; runtimes pass it to every instance downstream (a Flink
     * watermark). Stages that only follow time never call it: their runtime forwards the watermark it gave them.
     */
    default void advance(long watermark, long finalBefore) {
    }
}
