package dev.vigil.app;

import dev.vigil.config.VigilConfig;
import dev.vigil.correlate.ProcessDef;
import dev.vigil.interpret.SourceRules;
import dev.vigil.server.config.ConfigError;
import dev.vigil.server.config.ConfigLoader;
import dev.vigil.server.config.InvalidConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Check a vigil.yaml without starting anything. Prints every problem as FILE:LINE:COLUMN: what "
                + "is wrong and how to fix it, and exits 1; prints a summary and exits 0 when the file is valid.")
public final class CheckConfigCommand implements Callable<Integer> {

    @Parameters(index = "0", defaultValue = "vigil.yaml", paramLabel = "FILE", description = "Default: ${DEFAULT-VALUE}")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // picocli's writers (System.out and System.err unless a caller, such as a test, sets others).
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            VigilConfig c = ConfigLoader.load(file);
            int rules = c.sources().values().stream().mapToInt(s -> s.rules().size()).sum();
            out.println(file + ": valid: " + c.sources().size() + " source(s) with " + rules + " rule(s), "
                    + c.processes().size() + " process(es), " + c.objectives().size() + " objective(s), " + c.contracts().size()
                    + " contract(s)");
            for (SourceRules s : c.sources().values()) {
                out.println("  source " + s.source() + ": POST /ingest/events?source=" + s.source() + " ("
                        + s.rules().size() + " rule(s))");
            }
            for (ProcessDef p : c.processes().all()) {
                out.println("  process " + p.name() + ": " + String.join(" -> ", p.activities()) + "; keys "
                        + String.join(", ", p.keys()));
            }
            for (var o : c.objectives()) {
                out.println("  objective " + o.name() + ": " + o.series().dimension().wire() + " " + o.series().key()
                        + (o.series().name() == null ? "" : " " + o.series().name()) + ", target " + o.spec().target()
                        + (o.policies().isEmpty() ? ", standard burn-rate alerts to alerting.webhooks"
                        : ", alert policies " + String.join(", ", o.policies().stream().map(p -> p.name()).toList())));
            }
            for (var k : c.contracts()) {
                out.println("  contract " + k.name() + ": " + (k.external() ? "supplier " : "provider ") + k.party()
                        + (k.unit() == null ? "" : ", unit " + k.unit()) + ", period " + k.period() + ", covers "
                        + String.join(", ", k.objectives()));
            }
            out.flush();
            return 0;
        } catch (InvalidConfig e) {
            for (ConfigError problem : e.errors()) {
                err.println(problem);
            }
            err.println(e.errors().size() + " problem(s) in " + file);
            err.flush();
            return 1;
        }
    }
}
