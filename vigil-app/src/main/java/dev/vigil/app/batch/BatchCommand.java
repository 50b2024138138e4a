package dev.vigil.app.batch;

import picocli.CommandLine.Command;

/** {@code vigil batch}: push records through a service and measure how. */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = "Push hundreds of thousands of records through an existing service, and get the numbers: "
                + "records/s, request latency, retries, rejects, the load on the service and what its online users felt.",
        subcommands = {BatchRunCommand.class, BatchCompareCommand.class, BatchTuneCommand.class})
public final class BatchCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
