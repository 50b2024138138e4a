package dev.vigil.flink;

import dev.vigil.operator.Operator;
import dev.vigil.pipeline.Topology;

/** The stages of {@link Topology} by name, so that a Flink operator (shipped to the cluster as bytes) can make its own. */
enum StageKind {
    ORDER(false, false),
    SUMMARISE(true, false),
    CORRELATE(true, true),
    LINK(true, false),
    MERGE(true, false),
    ASSESS(true, false);

    private final boolean keyed;
    private final boolean holdsBack;

    StageKind(boolean keyed, boolean holdsBack) {
        this.keyed = keyed;
        this.holdsBack = holdsBack;
    }

    Topology.Stage<?, ?> stage(Topology t) {
        return switch (this) {
            case ORDER -> t.order;
            case SUMMARISE -> t.summarise;
            case CORRELATE -> t.correlate;
            case LINK -> t.link;
            case MERGE -> t.merge;
            case ASSESS -> t.assess;
        };
    }

    Operator<?, ?> make(Topology t) {
        return stage(t).operator().get();
    }

    String stageName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    boolean keyed() {
        return keyed;
    }

    /** Whether its operator holds outputs back until a flush. */
    boolean holdsBack() {
        return holdsBack;
    }
}
