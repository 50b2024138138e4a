package dev.vigil.app;

import dev.vigil.config.Durations;
import dev.vigil.event.IngestPolicy;
import dev.vigil.config.VigilConfig;
import dev.vigil.server.ServerOptions;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.config.yaml.InvalidConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options every command that runs a server shares. */
public final class ServerFlags {

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "HTTP port (0 picks a free one). Default: ${DEFAULT-VALUE}")
    int port;

    @Option(names = "--otlp-grpc-port", paramLabel = "PORT|auto|off", defaultValue = "auto",
            converter = GrpcPortConverter.class,
            description = "Port for OpenTelemetry's OTLP/gRPC (spans and host metrics from SDKs and collectors). auto: 4317, the OTLP "
                    + "convention, when it is free, else none (the banner says so); a number must be free; 0 picks one. "
                    + "Default: ${DEFAULT-VALUE}")
    String otlpGrpcPort;

    @Option(names = "--otlp-http-port", paramLabel = "PORT|off", defaultValue = "off",
            converter = HttpPortConverter.class,
            description = "An extra port for OTLP/HTTP (4318 by convention), for SDKs left at their default endpoint. "
                    + "OTLP/HTTP is always served on --port too (POST /v1/traces). Default: ${DEFAULT-VALUE}")
    String otlpHttpPort;

    /** The OTLP/gRPC port that auto picks when free. */
    static final int OTLP_GRPC_CONVENTION = 4317;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1", description = "Address to listen on: loopback by default, "
            + "so only this machine can reach it; 0.0.0.0 (or ::) listens on every interface. Default: ${DEFAULT-VALUE}")
    String bind;

    @Option(names = "--allow-host", paramLabel = "NAME", split = ",",
            description = "A name clients may use in the Host header besides this machine's own names and addresses "
                    + "(e.g. a DNS alias or a proxy's name); other names get 421, a guard against DNS rebinding. Repeatable")
    java.util.List<String> allowHosts = new java.util.ArrayList<>();

    @Option(names = "--data", defaultValue = "./vigil-data", paramLabel = "DIR",
            description = "Data folder (the journal and the DuckDB store). Default: vigil-data in the working folder")
    Path data;

    @Option(names = "--max-body", paramLabel = "SIZE", defaultValue = "16m", converter = SizeConverter.class,
            description = "Largest ingest body, after decompression; larger ones get 413. Default: ${DEFAULT-VALUE}")
    long maxBody;

    @Option(names = "--max-future-skew", paramLabel = "DURATION", defaultValue = "5m",
            description = "Reject events whose time is further ahead of this server's clock. Default: ${DEFAULT-VALUE}")
    Duration maxFutureSkew;

    @Option(names = "--max-past-age", paramLabel = "DURATION", defaultValue = "30d",
            description = "Reject events older than this (raise it to load history). Default: ${DEFAULT-VALUE}")
    Duration maxPastAge;

    @Option(names = "--config", paramLabel = "FILE",
            description = "vigil.yaml (docs/CONFIG.md): interpretation rules, processes, pipeline settings. "
                    + "Default: vigil.yaml in the working folder when it exists, else built-in defaults")
    Path config;

    // The labels are words, not the URLs: picocli wraps a synopsis at a '/', and kafka:// broke across two lines.
    @Option(names = "--forward-journal", paramLabel = "KAFKA_TOPIC", converter = KafkaJournalConverter.class,
            description = "kafka://HOST:PORT/TOPIC: also forward every journal record to this Kafka topic (one "
                    + "partition), where Vigil's Flink job reads it (docs/SCALE.md). Events are acknowledged once the local "
                    + "journal holds them, as always.")
    dev.vigil.server.runtime.KafkaJournal forwardJournal;

    @Option(names = "--outputs-from", paramLabel = "KAFKA_PREFIX", converter = KafkaOutputsConverter.class,
            description = "kafka://HOST:PORT/PREFIX: run no pipeline here; serve the KPI windows, cases and alerts "
                    + "Vigil's Flink job writes to the "
                    + "topics PREFIX.windows, PREFIX.cases and PREFIX.alerts (the job's defaults: PREFIX vigil), read into "
                    + "this server's store (docs/SCALE.md). Usually with --forward-journal.")
    dev.vigil.server.runtime.KafkaJournal outputsFrom;

    /** Reads a kafka:// value with {@code parse}; its refusal becomes picocli's, so the user sees the one line. */
    private abstract static class KafkaConverter implements picocli.CommandLine.ITypeConverter<dev.vigil.server.runtime.KafkaJournal> {
        private final java.util.function.Function<String, dev.vigil.server.runtime.KafkaJournal> parse;

        KafkaConverter(java.util.function.Function<String, dev.vigil.server.runtime.KafkaJournal> parse) {
            this.parse = parse;
        }

        @Override
        public dev.vigil.server.runtime.KafkaJournal convert(String value) {
            try {
                return parse.apply(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class KafkaJournalConverter extends KafkaConverter {
        KafkaJournalConverter() {
            super(dev.vigil.server.runtime.KafkaJournal::parse);
        }
    }

    static final class KafkaOutputsConverter extends KafkaConverter {
        KafkaOutputsConverter() {
            super(dev.vigil.server.runtime.KafkaJournal::parseOutputs);
        }
    }

    /** The URL of what was bound: the address itself (brackets for IPv6), so the banner says what listens. */
    public String boundUrl(int port) {
        return "http://" + (bind.contains(":") ? "[" + bind + "]" : bind) + ":" + port;
    }

    /** A URL this machine reaches the server on: loopback when every interface was bound. */
    public String localUrl(int port) {
        return isWildcard() ? "http://127.0.0.1:" + port : boundUrl(port);
    }

    /** What to add to the banner when every interface listens. */
    public String reachNote() {
        return isWildcard() ? "  (every interface: reachable from other machines)" : "";
    }

    private boolean isWildcard() {
        return bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]");
    }

    /** The data folder (--data). */
    /** Accepts events at least this old, raising --max-past-age when it is shorter (the demo's history needs it). */
    public void acceptPast(Duration age) {
        if (maxPastAge.compareTo(age) < 0) {
            maxPastAge = age;
        }
    }

    public Path data() {
        return data;
    }

    /** A configuration made only when it is the one used. */
    public interface Fallback {
        VigilConfig load() throws InvalidConfig;
    }

    public ServerOptions toOptions() throws InvalidConfig {
        return toOptions(() -> VigilConfig.DEFAULT);
    }

    /** The options, with {@code fallback}'s configuration when no --config is given and no ./vigil.yaml exists. */
    public ServerOptions toOptions(Fallback fallback) throws InvalidConfig {
        return ServerOptions.defaults(data)
                .withPort(port)
                .withBindAddress(bind)
                .withAllowedHosts(allowHosts)
                .withMaxBodyBytes(maxBody)
                .withPolicy(IngestPolicy.DEFAULT.withSkew(maxFutureSkew, maxPastAge))
                .withConfig(loadConfig(fallback))
                .withForwardTo(forwardJournal)
                .withOutputsFrom(outputsFrom)
                .withOtlp(new ServerOptions.OtlpPorts(otlpPort(otlpGrpcPort, OTLP_GRPC_CONVENTION),
                        otlpPort(otlpHttpPort, ServerOptions.OtlpPorts.OFF)));
    }

    /** Checks a port flag while picocli reads it, so that a bad value is refused with the command's own usage. */
    private abstract static class PortConverter implements picocli.CommandLine.ITypeConverter<String> {
        private final boolean auto;

        PortConverter(boolean auto) {
            this.auto = auto;
        }

        @Override
        public String convert(String value) {
            String v = value.strip().toLowerCase(java.util.Locale.ROOT);
            if (v.equals("off") || (auto && v.equals("auto"))) {
                return v;
            }
            try {
                int port = Integer.parseInt(v);
                if (port >= 0 && port <= 65535) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // the message below
            }
            throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a port: give 0-65535 (0 picks a "
                    + "free one)" + (auto ? ", auto" : "") + " or off");
        }
    }

    static final class GrpcPortConverter extends PortConverter {
        GrpcPortConverter() {
            super(true);
        }
    }

    static final class HttpPortConverter extends PortConverter {
        HttpPortConverter() {
            super(false);
        }
    }

    /**
     * A checked port flag's value: a number, off, or auto (the conventional port when nothing listens there yet,
     * so that a second Vigil or an OpenTelemetry collector on this machine does not stop this one from starting).
     */
    private int otlpPort(String value, int auto) {
        if (value.equals("off")) {
            return ServerOptions.OtlpPorts.OFF;
        }
        if (value.equals("auto")) {
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new java.net.InetSocketAddress(bind, auto));
                return auto;
            } catch (java.io.IOException busy) {
                return ServerOptions.OtlpPorts.OFF;
            }
        }
        return Integer.parseInt(value);
    }

    /** What the banner says of OTLP: where SDKs send spans. */
    public String otlpBanner(dev.vigil.server.VigilServer server) {
        StringBuilder b = new StringBuilder("  OTLP:   HTTP " + localUrl(server.port()) + "/v1/traces and /v1/metrics");
        if (server.otlpHttpPort() >= 0) {
            b.append(" (also on ").append(localUrl(server.otlpHttpPort())).append(")");
        }
        if (server.otlpGrpcPort() >= 0) {
            b.append(", gRPC ").append(localUrl(server.otlpGrpcPort()));
        } else if (otlpGrpcPort.equals("auto")) {
            b.append(", gRPC off (port ").append(OTLP_GRPC_CONVENTION)
                    .append(" is taken; choose one with --otlp-grpc-port)");
        } else {
            b.append(", gRPC off");
        }
        return b.toString();
    }

    private VigilConfig loadConfig(Fallback fallback) throws InvalidConfig {
        if (config != null) {
            if (!Files.isRegularFile(config)) {
                throw new InvalidConfig(java.util.List.of(new dev.vigil.config.yaml.ConfigError(config.toString(), 1, 1,
                        "no such file; give the path of your vigil.yaml, or leave --config out")));
            }
            return ConfigLoader.load(config);
        }
        Path local = Path.of("vigil.yaml");
        if (Files.isRegularFile(local)) {
            return ConfigLoader.load(local);
        }
        return fallback.load();
    }

    static final class SizeConverter implements picocli.CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return Durations.parseSize(value);
        }
    }
}
