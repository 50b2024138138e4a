package dev.vigil.app;

import dev.vigil.config.VigilConfig;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.config.yaml.InvalidConfig;
import dev.vigil.server.runtime.PipelineRuntime;
import dev.vigil.store.EventStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil rebuild}: every pipeline output recomputed from the journal, with the server stopped. After a
 * change of vigil.yaml (a process, its keys, an objective, the lateness), or to check that the outputs are what the journal
 * says: on an unchanged configuration they equal what the live server produced, quiet gaps and late events
 * included, because the journal holds the ticks that moved the watermark while nothing arrived.
 */
@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = "Recompute KPI windows, cases, late-event marks, objectives' ledgers and alert changes from the "
                + "journal of a stopped Vigil's data folder (after a change of vigil.yaml, say). Alert changes about "
                + "minutes more than an hour ago are recorded in the history, not sent again.")
public final class RebuildCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "./vigil-data", description = "Data folder of the stopped Vigil. Default: vigil-data in the working folder")
    Path data;

    @Option(names = "--config", paramLabel = "FILE",
            description = "vigil.yaml to rebuild with. Default: vigil.yaml in the working folder when it exists, else the demo's copy in "
                    + "DATA/demo-config/ when the folder is a demo's, else built-in defaults")
    Path config;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        data = data.toAbsolutePath().normalize();
        Path configFile = configFile();
        VigilConfig c = configFile == null ? VigilConfig.DEFAULT : ConfigLoader.load(configFile);
        EventStore journal = StoppedStore.open(data, "", "stop it first (the rebuild rewrites what it serves)");
        long records = journal.acknowledgedRecordNo();
        int partitions = c.partitionsFor(Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "rebuilding %s from %,d journal records (%,d events) with %s, %d partition(s)%n",
                data, records, journal.storedEvents(),
                configFile == null ? "the built-in defaults" : configFile.toString(), partitions);
        out.flush();
        long t0 = System.nanoTime();
        long windows;
        long cases;
        long alertChanges;
        try {
            PipelineRuntime rt = PipelineRuntime.rebuild(c, journal, data, partitions, at -> {
                out.printf(Locale.ROOT, "  record %,d of %,d (%d%%)%n", at, records, records == 0 ? 100 : at * 100 / records);
                out.flush();
            });
            // Nothing arrives during a rebuild (no ingest, no ticks): the runtime can finish and write its outputs
            // before the store closes, and they can be counted on the way out.
            rt.close();
            try (java.sql.Connection conn = journal.newConnection();
                 Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM kpi_windows), (SELECT count(*) FROM cases), "
                         + "(SELECT count(*) FROM alert_history)")) {
                rs.next();
                windows = rs.getLong(1);
                cases = rs.getLong(2);
                alertChanges = rs.getLong(3);
            }
        } finally {
            journal.close();
        }
        out.printf(Locale.ROOT, "rebuilt in %.1f s: %,d KPI windows, %,d cases, %,d alert changes%n",
                (System.nanoTime() - t0) / 1e9, windows, cases, alertChanges);
        if (windows == 0 && journal.storedEvents() > 0) {
            out.println("  (no minute is closed yet: a minute's windows are written once the watermark passes its end, "
                    + "which takes newer events, or quiet time with idle progress on; the journal's events are all there)");
        }
        return 0;
    }

    private Path configFile() throws InvalidConfig {
        if (config != null) {
            if (!Files.isRegularFile(config)) {
                throw new InvalidConfig(java.util.List.of(new dev.vigil.config.yaml.ConfigError(config.toString(), 1, 1,
                        "no such file; give the path of the vigil.yaml the server used, or leave --config out")));
            }
            return config;
        }
        for (Path p : new Path[] {Path.of("vigil.yaml"), data.resolve("demo-config").resolve("vigil.yaml")}) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
