package dev.vigil.app.lab;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vigil lab records}: an input file to experiment with. */
@Command(name = "records", mixinStandardHelpOptions = true,
        description = "Write records to push through a service: id, customer, amount, currency, date; a share of them "
                + "invalid by the reference service's rules (negative amount or bad currency). CSV or NDJSON by the "
                + "file name.")
public final class LabRecordsCommand implements Callable<Integer> {

    @Option(names = "--count", paramLabel = "N", defaultValue = "100000", description = "How many records. Default: ${DEFAULT-VALUE}")
    long count;

    @Option(names = "--invalid", paramLabel = "SHARE", defaultValue = "0.01", description = "Share of invalid records. Default: ${DEFAULT-VALUE}")
    double invalid;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The file to write: NAME.csv or NAME.ndjson")
    Path out;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Random seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Override
    public Integer call() throws Exception {
        boolean csv = dev.vigil.batch.input.RecordReader.Format.of(out) == dev.vigil.batch.input.RecordReader.Format.CSV;
        SplittableRandom r = new SplittableRandom(seed);
        String[] currencies = {"EUR", "USD", "GBP", "CHF"};
        long bad = 0;
        try (Writer w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(out), StandardCharsets.UTF_8), 1 << 16)) {
            if (csv) {
                w.write("id,customer,amount,currency,date\n");
            }
            for (long i = 0; i < count; i++) {
                boolean isBad = r.nextDouble() < invalid;
                bad += isBad ? 1 : 0;
                String id = String.format(Locale.ROOT, "INV-%09d", i);
                String customer = "C" + r.nextInt(50_000);
                String amount = String.format(Locale.ROOT, "%.2f", (isBad && r.nextBoolean() ? -1 : 1) * r.nextDouble() * 5000);
                String currency = isBad && amount.charAt(0) != '-' ? "euro" : currencies[r.nextInt(currencies.length)];
                String date = String.format(Locale.ROOT, "2026-%02d-%02d", 1 + r.nextInt(12), 1 + r.nextInt(28));
                if (csv) {
                    w.write(id + "," + customer + "," + amount + "," + currency + "," + date + "\n");
                } else {
                    w.write("{\"id\":\"" + id + "\",\"customer\":\"" + customer + "\",\"amount\":" + amount + ",\"currency\":\""
                            + currency + "\",\"date\":\"" + date + "\"}\n");
                }
            }
        }
        System.out.printf(Locale.ROOT, "wrote %,d records to %s (%,d invalid by the reference service's rules)%n", count, out, bad);
        return 0;
    }
}
