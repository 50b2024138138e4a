package dev.vigil.app;


import dev.vigil.config.Durations;
import dev.vigil.app.demo.DemoCommand;
import dev.vigil.app.loadgen.LoadgenCommand;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vigil} command. */
@Command(name = "vigil",
        mixinStandardHelpOptions = true,
        versionProvider = Vigil.Version.class,
        description = "Performance assurance for service estates: ingest the events your estate emits, "
                + "and know whether everything performs and every supplier meets its SLA.",
        subcommands = {ServeCommand.class, DemoCommand.class, CheckConfigCommand.class, ReportCommand.class, RebuildCommand.class, LoadgenCommand.class,
                dev.vigil.app.batch.BatchCommand.class, dev.vigil.app.lab.LabCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'vigil COMMAND --help' for the options of a command. Docs: README.md, docs/API.md."})
public final class Vigil implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        NativeLeftovers.clean(Path.of(System.getProperty("java.io.tmpdir")));
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Vigil());
        cl.registerConverter(java.time.Duration.class, Durations::parse);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // Wide enough that an example command and a path stay on one line, to be copied whole.
        cl.setUsageHelpWidth(100);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (ex instanceof dev.vigil.config.yaml.InvalidConfig bad) {
                // The same lines check-config prints: FILE:LINE:COLUMN: problem and fix.
                line.getErr().println("vigil " + line.getCommandName() + ": refusing to start, the configuration has "
                        + bad.errors().size() + " problem(s):");
                bad.errors().forEach(line.getErr()::println);
                return 2;
            }
            line.getErr().println("vigil " + line.getCommandName() + ": " + messageOf(ex));
            return 1;
        });
        return cl;
    }

    private static String messageOf(Throwable t) {
        StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage()));
        for (Throwable c = t.getCause(); c != null && c != t; c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(": ").append(c.getMessage());
            }
        }
        return sb.toString();
    }

    /** The version the build stamped into the jar. */
    public static String version() {
        try (InputStream in = Vigil.class.getResourceAsStream("/vigil-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vigil " + version(), "java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
