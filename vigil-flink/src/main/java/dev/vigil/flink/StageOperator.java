package dev.vigil.flink;

import dev.vigil.operator.Operator;
import dev.vigil.operator.Output;
import dev.vigil.order.EventClock;
import dev.vigil.order.LatenessPolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * One stage of Vigil's topology as a Flink operator: the very operator the embedded runtime runs, behind Flink's
 * operator interface. Flink hands it elements and watermarks in channel order; it hands them on.
 *
 * <ul>
 *   <li>Time: the order stage (one instance) is the source of event time. It ignores the watermarks Flink sends
 *       it (the end of a bounded input would close every window, which no run of the embedded runtime does)
 *       and emits a Flink watermark whenever its clock moves. The keyed stages take Flink's watermark (the
 *       slowest input channel's) and derive the final line from it, as the embedded runtime does.</li>
 *   <li>State: a keyed stage's state lives in Flink's keyed state, one value per Vigil key, written at each
 *       checkpoint from the operator's own per-key snapshot and read back key by key on restore. Flink assigns
 *       keys to subtasks by key group, so a savepoint restores at another parallelism. The order stage's state
 *       is operator state (one instance).</li>
 *   <li>Held-back outputs (case changes) are flushed before each checkpoint barrier, every 200 ms of
 *       processing time, and at the end of the input.</li>
 * </ul>
 */
final class StageOperator<I, O> extends AbstractStreamOperator<O> implements OneInputStreamOperator<I, O>, BoundedOneInput {

    private static final long FLUSH_EVERY_MILLIS = 200;

    private final StageKind kind;
    private final TopologySpec spec;
    private transient Operator<I, O> op;
    private transient LatenessPolicy policy;
    private transient Output<O> out;
    private transient StreamRecord<O> reuse;
    private transient ValueState<byte[]> keyed;
    private transient ListState<byte[]> single;
    private transient Set<String> written;

    StageOperator(StageKind kind, TopologySpec spec) {
        this.kind = kind;
        this.spec = spec;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        op = (Operator<I, O>) kind.make(spec.topology());
        policy = spec.policy();
        written = new HashSet<>();
        if (kind.keyed()) {
            keyed = getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    new ValueStateDescriptor<>("vigil-" + kind.stageName(), BytePrimitiveArraySerializer.INSTANCE));
            if (context.isRestored()) {
                List<String> keys = new ArrayList<>();
                getKeyedStateBackend().<VoidNamespace>getKeys("vigil-" + kind.stageName(), VoidNamespace.INSTANCE)
                        .forEach(k -> keys.add((String) k));
                for (String k : keys) {
                    setCurrentKey(k);
                    byte[] state = keyed.value();
                    if (state != null) {
                        op.restore(k, state);
                        written.add(k);
                    }
                }
            }
        } else {
            single = context.getOperatorStateStore().getListState(
                    new ListStateDescriptor<>("vigil-" + kind.stageName(), BytePrimitiveArraySerializer.INSTANCE));
            for (byte[] state : single.get()) {
                op.restore(dev.vigil.pipeline.OrderOperator.KEY, state);
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        reuse = new StreamRecord<>(null);
        out = new Output<>() {
            @Override
            public void emit(O element) {
                output.collect(reuse.replace(element));
            }

            @Override
            public void advance(long watermark, long finalBefore) {
                output.emitWatermark(new Watermark(watermark));
            }
        };
        if (kind.holdsBack()) {
            getProcessingTimeService().scheduleWithFixedDelay(t -> op.flush(out), FLUSH_EVERY_MILLIS, FLUSH_EVERY_MILLIS);
        }
    }

    @Override
    public void processElement(StreamRecord<I> element) throws Exception {
        op.onElement(element.getValue(), out);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (!kind.keyed()) {
            // The order stage makes event time; what Flink says of it (the end of a bounded input) is not ours.
            return;
        }
        long wm = mark.getTimestamp();
        op.onWatermark(wm, EventClock.finalBefore(policy, wm), out);
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        op.flush(out);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        if (kind.keyed()) {
            Set<String> now = new HashSet<>();
            op.snapshot((key, state) -> {
                setCurrentKey(key);
                try {
                    keyed.update(state);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                now.add(key);
            });
            // Keys whose state the operator no longer holds (windows handed out, cases forgotten) leave Flink's too.
            for (String gone : written) {
                if (!now.contains(gone)) {
                    setCurrentKey(gone);
                    keyed.clear();
                }
            }
            written = now;
        } else {
            List<byte[]> states = new ArrayList<>();
            op.snapshot((key, state) -> states.add(state));
            single.update(states);
        }
    }

    @Override
    public void endInput() {
        op.flush(out);
    }
}
