package dev.vigil.flink;

import dev.vigil.assess.Objective;
import dev.vigil.correlate.ProcessDef;
import dev.vigil.correlate.Processes;
import dev.vigil.order.LatenessPolicy;
import dev.vigil.pipeline.Topology;
import java.io.Serializable;
import java.util.List;

/**
 * What the topology is made from (vigil.yaml's processes, lateness, objectives and pairing wait), in a form Flink ships to its
 * workers.
 */
record TopologySpec(List<ProcessDef> processes, LatenessPolicy policy, List<Objective> objectives, long pairWithinMicros)
        implements Serializable {

    TopologySpec {
        processes = List.copyOf(processes);
        objectives = List.copyOf(objectives);
    }

    TopologySpec(List<ProcessDef> processes, LatenessPolicy policy) {
        this(processes, policy, List.of());
    }

    TopologySpec(List<ProcessDef> processes, LatenessPolicy policy, List<Objective> objectives) {
        this(processes, policy, objectives, dev.vigil.link.Linker.DEFAULT_WAIT_MICROS);
    }

    Topology topology() {
        return new Topology(new Processes(processes), policy, objectives, pairWithinMicros);
    }
}
