package dev.vigil.app;

import dev.vigil.config.Durations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandLineTest {

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = Vigil.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommands() {
        Run r = run("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("serve", "demo", "loadgen", "batch", "lab");
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : new String[] {"serve", "demo", "loadgen", "batch run", "batch compare", "batch tune",
                "lab service", "lab records"}) {
            Run r = run((cmd + " --help").split(" "));
            assertThat(r.exit()).as(cmd).isZero();
            assertThat(r.out()).as(cmd).contains("--help");
        }
        assertThat(run("serve", "--help").out()).contains("--port", "--data", "--max-body", "--max-future-skew");
    }

    @Test
    void anIncidentTheDemoDoesNotPlayIsRefusedBeforeAnythingStartsWithTheNamesItPlays() {
        Run r = run("demo", "--incident", "meteor-strike");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("--incident: no incident \"meteor-strike\"",
                "carrier-outage, stuck-orders, slow-database, host-saturation");
    }

    @Test
    void noHelpSplitsAPathOrAnExampleAcrossLines() {
        for (String cmd : new String[] {"", "serve", "demo", "report", "rebuild", "check-config", "loadgen", "batch run",
                "batch compare", "batch tune", "lab service", "lab records"}) {
            String help = run((cmd + " --help").trim().split(" ")).out();
            // A path wrapped after its "./" or a "/" reads as two words, and cannot be copied whole.
            assertThat(help).as(cmd).doesNotContainPattern("\\.\\s*\\n\\s+/[a-z]").doesNotContainPattern("/\\n")
                    .doesNotContainPattern(":\\n\\s*//").doesNotContainPattern("kafka://[A-Z:]*\\n")
                    .doesNotContainPattern("[A-Z]\\.\\n\\s+md\\b");
        }
        // Nor is a problem's place: FILE:LINE:COLUMN broke after LINE: in the command list.
        assertThat(run("--help").out()).contains("FILE:LINE:COLUMN");
        // An example command is on one line, to be copied whole.
        assertThat(run("report", "--help").out().lines().map(String::strip).toList())
                .contains("./vigil report --contract parcelco-2026 --period last-month --server http://localhost:8080",
                        "./vigil report --unit logistics --period this-quarter --format csv --server http://localhost:8080",
                        "./vigil report --all --period last-month --format json --out - --server http://localhost:8080");
    }

    @Test
    void everyOptionsValueIsNamedInCapitalsInEveryCommandsHelp() {
        // picocli's fallback placeholder is the field's name (<maxBody>): next to FILE and DIR it reads as a
        // different kind of thing. Walks the commands from the tree, so a new one is covered.
        List<CommandLine> all = new ArrayList<>();
        java.util.ArrayDeque<CommandLine> todo = new java.util.ArrayDeque<>(List.of(Vigil.commandLine()));
        while (!todo.isEmpty()) {
            CommandLine c = todo.pop();
            all.add(c);
            todo.addAll(c.getSubcommands().values());
        }
        assertThat(all).hasSizeGreaterThan(10);
        for (CommandLine c : all) {
            assertThat(c.getUsageMessage()).as(c.getCommandName()).doesNotContainPattern("=<[a-z]");
        }
    }

    @Test
    void versionNamesVigilAndTheJava() {
        Run r = run("--version");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("vigil ").contains("java ");
    }

    @Test
    void aBadOptionValueSaysWhatIsExpected() {
        Run r = run("serve", "--max-future-skew", "soon");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("'soon' is not a duration: write e.g. 500ms, 30s, 5m, 2h or 30d");
        Run unknown = run("serve", "--prot", "8080");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option", "'--prot'");
    }

    @Test
    void durationsAndSizesParseTheWaysPeopleWriteThem() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(Durations.parse("PT5M")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parseSize("16m")).isEqualTo(16L * 1024 * 1024);
        assertThat(Durations.parseSize("1024")).isEqualTo(1024L);
        assertThatThrownBy(() -> Durations.parseSize("lots")).hasMessageContaining("not a size");
    }

    @Test
    void theFallbackConfigurationIsMadeOnlyWhenNoConfigIsGiven(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // The demo's fallback writes files: with --config (an edited copy of them, say) it must not run.
        java.nio.file.Path yaml = dir.resolve("mine.yaml");
        java.nio.file.Files.writeString(yaml, "pipeline: {allowedLateness: 3s}\n");
        int[] made = {0};
        ServerFlags.Fallback fallback = () -> {
            made[0]++;
            return dev.vigil.config.VigilConfig.DEFAULT;
        };
        ServerFlags given = flags("--data", dir.toString(), "--config", yaml.toString());
        assertThat(given.toOptions(fallback).config().lateness().allowedLatenessMicros()).isEqualTo(3_000_000L);
        assertThat(made[0]).isZero();
        flags("--data", dir.toString()).toOptions(fallback);
        assertThat(made[0]).as("no --config and no ./vigil.yaml in %s", java.nio.file.Path.of("").toAbsolutePath()).isEqualTo(1);
    }

    static ServerFlags flags(String... args) {
        ServerFlags f = new ServerFlags();
        new CommandLine(f).registerConverter(Duration.class, Durations::parse).parseArgs(args);
        return f;
    }

    @Test
    void checkConfigSummarisesTheEstateSectionOfAValidFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Files.writeString(dir.resolve("vigil.yaml"), """
                estate:
                  interactions: {web: [orders, postgres]}
                  hostAliases: {ip-10-0-0-7: db-1}
                  weights: {web: 2}
                """);
        Run r = run("check-config", dir.resolve("vigil.yaml").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("  estate: 2 declared interaction(s), 1 host alias(es), 0 process group(s), 1 weight(s), "
                + "0 transaction(s)\n");
    }

    @Test
    void checkConfigPlacesANullDurationAtMostInsteadOfFailingOnIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // It used to print "vigil check-config: Cannot invoke "String.trim()" because "text" is null", without a place.
        java.nio.file.Files.writeString(dir.resolve("vigil.yaml"), "objectives: [slo.yaml]\n");
        java.nio.file.Files.writeString(dir.resolve("slo.yaml"), """
                apiVersion: openslo/v1
                kind: SLO
                metadata: {name: carrier-latency}
                spec:
                  indicator:
                    metadata: {name: carrier-fast}
                    spec:
                      ratioMetric:
                        good: {metricSource: {type: Vigil, spec: {dimension: peer, key: carrier-api, durationAtMost: null}}}
                        total: {metricSource: {type: Vigil, spec: {dimension: peer, key: carrier-api}}}
                  timeWindow: [{duration: 28d, isRolling: true}]
                  budgetingMethod: Occurrences
                  objectives: [{target: 0.99}]
                """);
        Run r = run("check-config", dir.resolve("vigil.yaml").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo(dir.resolve("slo.yaml") + ":9:102: durationAtMost must be a single value, found nothing\n"
                + "1 problem(s) in " + dir.resolve("vigil.yaml") + "\n");
    }
}
