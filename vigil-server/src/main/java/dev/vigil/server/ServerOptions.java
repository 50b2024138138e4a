package dev.vigil.server;

import dev.vigil.config.VigilConfig;
import dev.vigil.event.IngestPolicy;
import dev.vigil.store.EventStore;
import java.nio.file.Path;

/**
 * How a Vigil server runs.
 *
 * @param port         TCP port, 0 for any free one
 * @param bindAddress  the address to listen on
 * @param dataDir      the data folder (the DuckDB store lives here)
 * @param maxBodyBytes the largest ingest body, after decompression; larger ones get 413
 * @param policy       what an event must respect to be accepted
 * @param journal      group commit limits
 * @param config       vigil.yaml: interpretation rules, processes, pipeline settings
 * @param allowedHosts names a request's Host may carry besides this machine's own names and addresses
 * @param forwardTo    a Kafka topic to forward the journal to (for Vigil's Flink job), or null
 * @param outputsFrom  where Vigil's Flink job writes its outputs (brokers and topic prefix): the server then runs no
 *                     pipeline of its own and serves those; null to run the pipeline here
 * @param otlp         OTLP's own ports (gRPC, and the OTLP/HTTP alias), each maybe off
 */
public record ServerOptions(int port, String bindAddress, Path dataDir, long maxBodyBytes, IngestPolicy policy,
                            EventStore.Options journal, VigilConfig config, java.util.List<String> allowedHosts,
                            dev.vigil.server.runtime.KafkaJournal forwardTo,
                            dev.vigil.server.runtime.KafkaJournal outputsFrom, OtlpPorts otlp) {

    /**
     * The ports of their own that OTLP may have: gRPC (the convention is 4317) and an alias of OTLP/HTTP (4318;
     * OTLP/HTTP is always on the main port too). {@link #OFF} for none, 0 for a free one.
     */
    public record OtlpPorts(int grpc, int http) {
        public static final int OFF = -1;
        public static final OtlpPorts NONE = new OtlpPorts(OFF, OFF);
    }

    public static final long DEFAULT_MAX_BODY = 16L * 1024 * 1024;

    public static ServerOptions defaults(Path dataDir) {
        return new ServerOptions(8080, "127.0.0.1", dataDir, DEFAULT_MAX_BODY, IngestPolicy.DEFAULT,
                EventStore.Options.DEFAULT, VigilConfig.DEFAULT, java.util.List.of(), null, null, OtlpPorts.NONE);
    }

    public ServerOptions withPort(int p) {
        return new ServerOptions(p, bindAddress, dataDir, maxBodyBytes, policy, journal, config, allowedHosts, forwardTo, outputsFrom, otlp);
    }

    public ServerOptions withBindAddress(String a) {
        return new ServerOptions(port, a, dataDir, maxBodyBytes, policy, journal, config, allowedHosts, forwardTo, outputsFrom, otlp);
    }

    public ServerOptions withMaxBodyBytes(long b) {
        return new ServerOptions(port, bindAddress, dataDir, b, policy, journal, config, allowedHosts, forwardTo, outputsFrom, otlp);
    }

    public ServerOptions withConfig(VigilConfig c) {
        return new ServerOptions(port, bindAddress, dataDir, maxBodyBytes, policy, journal, c, allowedHosts, forwardTo, outputsFrom, otlp);
    }

    public ServerOptions withAllowedHosts(java.util.List<String> hosts) {
        return new ServerOptions(port, bindAddress, dataDir, maxBodyBytes, policy, journal, config, java.util.List.copyOf(hosts), forwardTo, outputsFrom, otlp);
    }

    public ServerOptions withPolicy(IngestPolicy p) {
        return new ServerOptions(port, bindAddress, dataDir, maxBodyBytes, p, journal, config, allowedHosts, forwardTo, outputsFrom, otlp);
    }

    public ServerOptions withForwardTo(dev.vigil.server.runtime.KafkaJournal k) {
        return new ServerOptions(port, bindAddress, dataDir, maxBodyBytes, policy, journal, config, allowedHosts, k, outputsFrom, otlp);
    }

    public ServerOptions withOtlp(OtlpPorts o) {
        return new ServerOptions(port, bindAddress, dataDir, maxBodyBytes, policy, journal, config, allowedHosts, forwardTo, outputsFrom, o);
    }

    public ServerOptions withOutputsFrom(dev.vigil.server.runtime.KafkaJournal k) {
        return new ServerOptions(port, bindAddress, dataDir, maxBodyBytes, policy, journal, config, allowedHosts, forwardTo, k, otlp);
    }
}
