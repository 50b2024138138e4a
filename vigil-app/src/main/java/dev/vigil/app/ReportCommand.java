package dev.vigil.app;

import dev.vigil.config.VigilConfig;
import dev.vigil.event.Timestamps;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.config.yaml.InvalidConfig;
import dev.vigil.server.report.ContractReport;
import dev.vigil.server.report.ReportRequest;
import dev.vigil.store.EventStore;
import dev.vigil.store.OutputStore;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write a contract's period report: per objective the target, what was achieved, met or breached, "
                + "the error budget spent, each breach interval with its worst minute, and the hours that spent most of "
                + "the budget; the penalty band reached. HTML (one self-contained, printable file), CSV or JSON.",
                "Reads the data folder directly, or asks a running Vigil with --server (a running Vigil holds its data "
                        + "folder)."},
        footer = {"", "Examples (against ./vigil demo, whose contracts serve the wholesale and logistics units):",
                "  ./vigil report --contract parcelco-2026 --period last-month --server http://localhost:8080",
                "  ./vigil report --unit logistics --period this-quarter --format csv --server http://localhost:8080",
                "  ./vigil report --all --period last-month --format json --out - --server http://localhost:8080",
                "A stopped server's folder, read directly:",
                "  ./vigil report --contract parcelco-2026 --period 2026-11 --data ./vigil-data"})
public final class ReportCommand implements Callable<Integer> {

    static final class Scope {
        @Option(names = "--contract", paramLabel = "NAME", description = "One contract, by its metadata.name")
        String contract;

        @Option(names = "--unit", paramLabel = "NAME", description = "Every contract serving this business unit")
        String unit;

        @Option(names = "--all", description = "Every contract")
        boolean all;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Scope scope;

    @Option(names = "--period", required = true, paramLabel = "PERIOD",
            description = "A month (2026-10), a quarter (2026-Q4) or a year (2026); or this-month, last-month, "
                    + "this-quarter, last-quarter, this-year, last-year")
    String period;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "html", description = "html, csv or json. Default: ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--zone", paramLabel = "ZONE",
            description = "Time zone the period's days begin in. Default: the objectives' calendar zone, else UTC")
    String zone;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Where to write it; - for standard output. Default: vigil-report-SCOPE-PERIOD.FORMAT here")
    String out;

    @Option(names = "--server", paramLabel = "URL", description = "Ask the Vigil running at URL (e.g. http://localhost:8080)")
    URI server;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "./vigil-data",
            description = "Data folder to read when no --server is given. Default: vigil-data in the working folder")
    Path data;

    @Option(names = "--config", paramLabel = "FILE",
            description = "vigil.yaml declaring the objectives and contracts, when no --server is given. Default: vigil.yaml in the working folder")
    Path config;

    @Override
    public Integer call() throws Exception {
        ReportRequest request;
        try {
            request = ReportRequest.of(scope.contract, scope.unit, scope.all, period, format, zone);
        } catch (ReportRequest.Invalid e) {
            System.err.println("vigil report: " + e.getMessage());
            return 2;
        }
        byte[] body;
        try {
            body = server != null ? fromServer(request) : fromData(request);
        } catch (ReportRequest.Invalid e) {
            System.err.println("vigil report: " + e.getMessage());
            return 2;
        }
        if ("-".equals(out)) {
            PrintStream o = System.out;
            o.write(body);
            o.flush();
        } else {
            Path file = Path.of(out != null ? out : request.fileName());
            Files.write(file, body);
            System.err.println("vigil report: wrote " + file.toAbsolutePath() + " (" + body.length + " bytes)");
        }
        return 0;
    }

    private byte[] fromServer(ReportRequest request) throws IOException, InterruptedException {
        List<String> q = new ArrayList<>();
        add(q, "contract", scope.contract);
        add(q, "unit", scope.unit);
        add(q, "all", scope.all ? "true" : null);
        add(q, "period", period);
        add(q, "format", request.format().extension);
        add(q, "zone", zone);
        URI uri = server.resolve("/api/v1/reports?" + String.join("&", q));
        HttpResponse<byte[]> r;
        try {
            r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.net.ConnectException e) {
            throw new IOException("no Vigil answers at " + server + " (start one with 'vigil serve', or leave --server out "
                    + "to read the data folder of a stopped one)", e);
        }
        if (r.statusCode() == 400) {
            String detail = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("detail").asText();
            throw new ReportRequest.Invalid("", detail);
        }
        if (r.statusCode() != 200) {
            throw new IOException("the Vigil at " + server + " answered " + r.statusCode() + ": "
                    + new String(r.body(), StandardCharsets.UTF_8));
        }
        return r.body();
    }

    private static void add(List<String> q, String name, String value) {
        if (value != null) {
            q.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }

    private byte[] fromData(ReportRequest request) throws InvalidConfig, SQLException {
        VigilConfig c = loadConfig();
        EventStore journal = StoppedStore.open(data, ", or ask a running Vigil with --server", "ask it with --server http://localhost:PORT");
        try (journal; OutputStore store = new OutputStore(journal)) {
            ContractReport r = ContractReport.build(c.objectives(), c.contracts(), store, request,
                    Timestamps.toMicros(Instant.now()));
            return request.format().render(r);
        }
    }

    private VigilConfig loadConfig() throws InvalidConfig {
        Path file = config != null ? config : Path.of("vigil.yaml");
        if (!Files.isRegularFile(file)) {
            // A demo's folder holds the configuration the demo wrote: say so rather than leave the user to find it.
            Path demo = data.resolve("demo-config").resolve("vigil.yaml");
            throw new InvalidConfig(List.of(new dev.vigil.config.yaml.ConfigError(file.toString(), 1, 1,
                    "no such file: the report needs the vigil.yaml that declares the objectives and contracts (--config), "
                            + "or --server to ask a running Vigil"
                            + (config == null && Files.isRegularFile(demo) ? "; this data folder is a demo's: --config " + demo
                            : ""))));
        }
        return ConfigLoader.load(file);
    }
}
