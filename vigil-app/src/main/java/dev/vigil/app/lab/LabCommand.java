package dev.vigil.app.lab;

import picocli.CommandLine.Command;

/** {@code vigil lab}: what the batch lab measures against. */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "The batch lab's workbench: a reference service to push records through, and records to push.",
        subcommands = {LabServiceCommand.class, LabRecordsCommand.class})
public final class LabCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
