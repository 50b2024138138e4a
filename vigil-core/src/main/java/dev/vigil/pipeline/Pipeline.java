package dev.vigil.pipeline;

import dev.vigil.assess.Objective;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.Processes;
import dev.vigil.event.Event;
import dev.vigil.operator.KeyedState;
import dev.vigil.operator.Operator;
import dev.vigil.order.EventClock;
import dev.vigil.order.Lateness;
import dev.vigil.order.LatenessPolicy;
import dev.vigil.summarise.ClosedWindow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link Topology} in one thread, with its keyed stages spread over a number of partitions exactly as the
 * threaded runtime spreads them, driven in sequence. It is the reference the properties test against, the
 * engine of the one-thread benchmark, and what a replay in a test harness uses.
 *
 * <p>It takes the journal's records as they come: events with the wall-clock time their record was taken in,
 * and ticks (records without events). Its outputs are a function of that sequence alone.
 */
public final class Pipeline {

    private final Topology topology;
    private final OrderOperator order;
    private Partition[] partitions;
    private MergeOperator merge = new MergeOperator();
    private AssessOperator assess;
    private InputWatermarks inputs;
    private final List<MergedWindow> merged = new ArrayList<>();
    private final List<ObjectiveLedger.Transition> alerts = new ArrayList<>();

    /** What an advance produced: windows to write, case changes to apply and alerts that changed, in order. */
    public record Emitted(List<MergedWindow> windows, List<CaseChange> cases, List<ObjectiveLedger.Transition> alerts) {
    }

    public Pipeline(Processes processes, LatenessPolicy policy, int partitionCount) {
        this(processes, policy, List.of(), partitionCount);
    }

    public Pipeline(Processes processes, LatenessPolicy policy, List<Objective> objectives, int partitionCount) {
        this(new Topology(processes, policy, objectives), partitionCount);
    }

    public Pipeline(Topology topology, int partitionCount) {
        this.topology = topology;
        this.assess = new AssessOperator(topology.objectives());
        this.order = topology.newOrder();
        this.partitions = new Partition[partitionCount];
        for (int i = 0; i < partitionCount; i++) {
            partitions[i] = new Partition(topology);
        }
        this.inputs = new InputWatermarks(partitionCount);
    }

    /**
     * Takes one event of the journal.
     *
     * @param seq           its sequence number in the journal
     * @param arrivalMicros the wall-clock time its journal record was taken in
     * @return what the clock made of it, or null for an event the interpreter could not read (stored, not fed)
     */
    public Lateness accept(Event e, long seq, long arrivalMicros) {
        Timed t = order.accept(e, seq, arrivalMicros);
        if (t == null) {
            return null;
        }
        int n = partitions.length;
        partitions[n == 1 ? 0 : topology.summarise.instanceOf(t, n)].summarise(t);
        int l = topology.link.instanceOf(t, n);
        if (l >= 0) {
            partitions[l].link(t);
        }
        if (t.ofProcess()) {
            partitions[n == 1 ? 0 : topology.correlate.instanceOf(t, n)].correlate(t);
        }
        return t.lateness();
    }

    /** Takes a journal record without events: idle progress, at the wall-clock time it carries. */
    public void tick(long atMicros) {
        order.clock().tick(atMicros);
    }

    /** Brings every partition to the clock's watermark and hands out what that closed and merged. */
    public Emitted advance() {
        List<CaseChange> cases = new ArrayList<>();
        for (int i = 0; i < partitions.length; i++) {
            partitions[i].advanceTo(clock().watermark(), clock().finalBefore());
            Partition.Drained o = partitions[i].drain();
            for (ClosedWindow w : o.windows()) {
                merge.onElement(w, merged::add);
            }
            inputs.update(i, o.watermark(), o.finalBefore());
            cases.addAll(partitions[i].drainCases());
        }
        merge.onWatermark(inputs.watermark(), inputs.finalBefore(), merged::add);
        for (MergedWindow w : merged) {
            assess.onElement(w, alerts::add);
        }
        assess.onWatermark(inputs.watermark(), inputs.finalBefore(), alerts::add);
        List<MergedWindow> windows = List.copyOf(merged);
        List<ObjectiveLedger.Transition> changed = List.copyOf(alerts);
        merged.clear();
        alerts.clear();
        return new Emitted(windows, cases, changed);
    }

    /**
     * The whole pipeline's state, stage by stage and key by key: restorable into a pipeline of the same
     * configuration and any partition count. Call right after {@link #advance()}: outputs not yet handed out
     * are not part of it.
     */
    public byte[] snapshot() {
        Map<String, KeyedState> stages = new LinkedHashMap<>();
        KeyedState o = new KeyedState();
        order.snapshot(o.sink());
        stages.put(topology.order.name(), o);
        KeyedState s = new KeyedState();
        KeyedState c = new KeyedState();
        KeyedState l = new KeyedState();
        for (Partition p : partitions) {
            p.summariser().snapshot(s.sink());
            p.correlator().snapshot(c.sink());
            p.linker().snapshot(l.sink());
        }
        stages.put(topology.summarise.name(), s);
        stages.put(topology.link.name(), l);
        stages.put(topology.correlate.name(), c);
        KeyedState m = new KeyedState();
        merge.snapshot(m.sink());
        stages.put(topology.merge.name(), m);
        KeyedState a = new KeyedState();
        assess.snapshot(a.sink());
        stages.put(topology.assess.name(), a);
        return write(stages);
    }

    /** Replaces this pipeline's state with what {@link #snapshot()} wrote, at this pipeline's partition count. */
    public void restore(byte[] snapshot) {
        Map<String, KeyedState> stages = read(snapshot);
        int n = partitions.length;
        partitions = new Partition[n];
        Operator<?, ?>[] summarisers = new Operator<?, ?>[n];
        Operator<?, ?>[] correlators = new Operator<?, ?>[n];
        Operator<?, ?>[] linkers = new Operator<?, ?>[n];
        for (int i = 0; i < n; i++) {
            partitions[i] = new Partition(topology);
            summarisers[i] = partitions[i].summariser();
            correlators[i] = partitions[i].correlator();
            linkers[i] = partitions[i].linker();
        }
        merge = new MergeOperator();
        assess = new AssessOperator(topology.objectives());
        inputs = new InputWatermarks(n);
        merged.clear();
        alerts.clear();
        stages.get(topology.order.name()).restoreInto(new Operator<?, ?>[] {order});
        stages.get(topology.summarise.name()).restoreInto(summarisers);
        stages.get(topology.correlate.name()).restoreInto(correlators);
        stages.get(topology.link.name()).restoreInto(linkers);
        stages.get(topology.merge.name()).restoreInto(new Operator<?, ?>[] {merge});
        stages.get(topology.assess.name()).restoreInto(new Operator<?, ?>[] {assess});
        for (Partition p : partitions) {
            p.prime(order.clock().watermark(), order.clock().finalBefore());
        }
    }

    /** Stages' keyed state as one blob: stage count, then each stage's name and entries. */
    public static byte[] write(Map<String, KeyedState> stages) {
        return KeyedState.write(out -> {
            out.writeInt(stages.size());
            for (Map.Entry<String, KeyedState> e : stages.entrySet()) {
                out.writeUTF(e.getKey());
                byte[] b = e.getValue().toBytes();
                out.writeInt(b.length);
                out.write(b);
            }
        });
    }

    public static Map<String, KeyedState> read(byte[] blob) {
        Map<String, KeyedState> stages = new LinkedHashMap<>();
        KeyedState.read("(pipeline)", blob, in -> {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                stages.put(name, KeyedState.fromBytes(in.readNBytes(in.readInt())));
            }
        });
        return stages;
    }

    public EventClock clock() {
        return order.clock();
    }

    public Partition partition(int i) {
        return partitions[i];
    }

    public int partitions() {
        return partitions.length;
    }

    public MergeOperator merger() {
        return merge;
    }
}
