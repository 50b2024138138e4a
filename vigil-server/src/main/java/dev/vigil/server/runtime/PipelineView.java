package dev.vigil.server.runtime;

import dev.vigil.correlate.Processes;
import dev.vigil.pipeline.AssessOperator;
import dev.vigil.store.AlertStore;
import dev.vigil.store.OutputStore;

/**
 * What the API reads of the pipeline, whoever runs it: this server's own threads ({@link PipelineRuntime}), or
 * Vigil's Flink job, whose outputs this server loads from Kafka ({@link FlinkOutputs}).
 */
public interface PipelineView extends AutoCloseable {

    /** The KPI windows, cases and late events, as stored. */
    OutputStore store();

    /** What the pipeline has done: watermark, late counts, windows written. */
    PipelineRuntime.Status status();

    /** The objectives' ledgers (read them under its lock: {@link AssessOperator#read}). */
    AssessOperator assess();

    /** Alert states, history and the notifications owed. */
    AlertStore alerts();

    /** The partitions the pipeline runs on here; 0 when it runs elsewhere (on Flink). */
    int partitions();

    Processes processes();

    /** The last journal record the pipeline has taken in; -1 when it runs elsewhere. */
    long lastRecordNo();

    boolean failed();

    /** Why KPIs and cases are not being brought up to date now, or null when they are. */
    String problem();

    @Override
    void close() throws java.sql.SQLException;
}
