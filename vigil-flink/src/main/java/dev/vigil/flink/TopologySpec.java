package dev.vigil.flink;

import dev.vigil.assess.Objective;
import dev.vigil.correlate.ProcessDef;
import dev.vigil.correlate.Processes;
import dev.vigil.order.LatenessPolicy;
import dev.vigil.pipeline.Topology;
import java.io.Serializable;
import java.util.List;

/**
 * What the topology is made from (vigil.yaml's processes, lateness and objectives), in a form Flink ships to its
 * workers.
 */
record TopologySpec(List<ProcessDef> processes, LatenessPolicy policy, List<Objective> objectives) implements Serializable {

    TopologySpec {
        processes = List.copyOf(processes);
        objectives = List.copyOf(objectives);
    }

    TopologySpec(List<ProcessDef> processes, LatenessPolicy policy) {
        this(processes, policy, List.of());
    }

    Topology topology() {
        return new Topology(new Processes(processes), policy, objectives);
    }
}
