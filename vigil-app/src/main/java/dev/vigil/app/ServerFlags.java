package dev.vigil.app;

import dev.vigil.config.Durations;
import dev.vigil.event.IngestPolicy;
import dev.vigil.server.ServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options every command that runs a server shares. */
public final class ServerFlags {

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (0 picks a free one). Default: ${DEFAULT-VALUE}")
    int port;

    @Option(names = "--bind", defaultValue = "0.0.0.0", description = "Address to listen on. Default: ${DEFAULT-VALUE}")
    String bind;

    @Option(names = "--data", defaultValue = "./vigil-data", description = "Data folder (the DuckDB store). Default: ${DEFAULT-VALUE}")
    Path data;

    @Option(names = "--max-body", defaultValue = "16m", converter = SizeConverter.class,
            description = "Largest ingest body, after decompression; larger ones get 413. Default: ${DEFAULT-VALUE}")
    long maxBody;

    @Option(names = "--max-future-skew", defaultValue = "5m",
            description = "Reject events whose time is further ahead of this server's clock. Default: ${DEFAULT-VALUE}")
    Duration maxFutureSkew;

    @Option(names = "--max-past-age", defaultValue = "30d",
            description = "Reject events older than this (raise it to load history). Default: ${DEFAULT-VALUE}")
    Duration maxPastAge;

    public ServerOptions toOptions() {
        return ServerOptions.defaults(data)
                .withPort(port)
                .withBindAddress(bind)
                .withMaxBodyBytes(maxBody)
                .withPolicy(IngestPolicy.DEFAULT.withSkew(maxFutureSkew, maxPastAge));
    }

    static final class SizeConverter implements picocli.CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return Durations.parseSize(value);
        }
    }
}
