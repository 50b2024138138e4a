package dev.vigil.app;

import dev.vigil.config.VigilConfig;
import dev.vigil.correlate.ProcessDef;
import dev.vigil.interpret.SourceRules;
import dev.vigil.config.yaml.ConfigError;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.config.yaml.InvalidConfig;
import dev.vigil.config.yaml.Quote;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Check a vigil.yaml without starting anything: every problem as FILE:LINE:COLUMN: what is "
                + "wrong and how to fix it, and exit 1; a summary and exit 0 when the file is valid.")
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
                    + " contract(s), " + c.scrapes().size() + " scrape target(s)");
            // Names as they stand when plain, else quoted on one line (a name may hold a line break or a tab).
            for (SourceRules s : c.sources().values()) {
                out.println("  source " + s.source() + ": POST /ingest/events?source=" + s.source() + " ("
                        + s.rules().size() + " rule(s))");
            }
            for (ProcessDef p : c.processes().all()) {
                out.println("  process " + name(p.name()) + ": " + names(p.activities(), " -> ") + "; keys "
                        + names(p.keys(), ", "));
            }
            for (var o : c.objectives()) {
                out.println("  objective " + o.name() + ": " + o.series().dimension().wire() + " " + name(o.series().key())
                        + (o.series().name() == null ? "" : " " + name(o.series().name())) + ", target " + o.spec().target()
                        + (o.policies().isEmpty() ? ", standard burn-rate alerts to alerting.webhooks"
                        : ", alert policies " + names(o.policies().stream().map(p -> p.name()).toList(), ", ")));
            }
            for (var k : c.contracts()) {
                out.println("  contract " + k.name() + ": " + (k.external() ? "supplier " : "provider ") + name(k.party())
                        + (k.unit() == null ? "" : ", unit " + name(k.unit())) + ", period " + k.period() + ", covers "
                        + names(k.objectives(), ", "));
            }
            for (var t : c.scrapes()) {
                out.println("  scrape " + name(t.url()) + ": host " + name(t.host()) + ", every "
                        + dev.vigil.config.Durations.format(java.time.Duration.ofMillis(t.intervalMillis())));
            }
            for (var k : c.spanKeys().entrySet()) {
                out.println("  span key " + name(k.getKey()) + ": from span attribute " + names(k.getValue(), " or "));
            }
            var estate = c.estate();
            if (estate != dev.vigil.config.EstateDeclaration.NONE) {
                out.println("  estate: " + estate.pairs().size() + " declared interaction(s), " + estate.hostAliases().size()
                        + " host alias(es), " + estate.processGroups().size() + " process group(s), " + estate.weights().size()
                        + " weight(s), " + estate.transactions().size() + " transaction(s)");
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

    private static String name(String s) {
        return Quote.name(s);
    }

    private static String names(java.util.List<String> all, String separator) {
        return String.join(separator, all.stream().map(Quote::name).toList());
    }
}
