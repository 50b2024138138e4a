package dev.vigil.flink;

import dev.vigil.config.VigilConfig;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.config.yaml.InvalidConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The job's entry point for {@code flink run}: reads vigil.yaml and runs the topology on the cluster the Flink
 * client submits to. See docs/SCALE.md.
 */
@Command(name = "vigil-flink", mixinStandardHelpOptions = true,
        description = "Runs Vigil's pipeline (order, summarise, link, correlate, merge, assess) as a Flink job over Kafka: reads "
                + "the journal topic, writes KPI windows, cases and alert changes to their topics.")
public final class VigilFlinkJob implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "The vigil.yaml the server runs with (its processes, lateness and objectives make the topology).")
    Path config;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,...]",
            description = "The Kafka cluster that holds the journal topic.")
    String bootstrapServers;

    @Option(names = "--journal-topic", defaultValue = "vigil.journal", paramLabel = "TOPIC", description = "Default: ${DEFAULT-VALUE} (one partition).")
    String journalTopic;

    @Option(names = "--windows-topic", defaultValue = "vigil.windows", paramLabel = "TOPIC", description = "Default: ${DEFAULT-VALUE}.")
    String windowsTopic;

    @Option(names = "--cases-topic", defaultValue = "vigil.cases", paramLabel = "TOPIC", description = "Default: ${DEFAULT-VALUE}.")
    String casesTopic;

    @Option(names = "--alerts-topic", defaultValue = "vigil.alerts", paramLabel = "TOPIC",
            description = "Alert changes of the objectives' burn-rate rules, keyed by objective and rule. Default: ${DEFAULT-VALUE}.")
    String alertsTopic;

    @Option(names = "--group-id", defaultValue = "vigil-flink", paramLabel = "GROUP", description = "Kafka consumer group. Default: ${DEFAULT-VALUE}.")
    String groupId;

    @Option(names = "--checkpoint-every-ms", defaultValue = "10000", paramLabel = "MILLIS",
            description = "Checkpoint interval in milliseconds, unless the cluster's configuration sets one. Default: ${DEFAULT-VALUE}.")
    long checkpointEveryMillis;

    @Option(names = "--bounded", description = "Read the journal from its start to its end as it is now, then finish: a rebuild. "
                    + "(A run restored from a savepoint of an unbounded run stays unbounded.)")
    boolean bounded;

    @Override
    public Integer call() throws Exception {
        VigilConfig c;
        try {
            c = ConfigLoader.load(config);
        } catch (InvalidConfig e) {
            System.err.println(e.getMessage());
            return 2;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (env.getCheckpointConfig().getCheckpointInterval() <= 0) {
            env.enableCheckpointing(checkpointEveryMillis);
        }
        VigilJob.build(env, new TopologySpec(c.processes().all(), c.lateness(), c.objectives(), c.pairWithinMicros()),
                new VigilJob.Source(bootstrapServers, new VigilJob.Topics(journalTopic, windowsTopic, casesTopic,
                        alertsTopic), groupId, bounded));
        env.execute("vigil");
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new VigilFlinkJob()).execute(args));
    }
}
