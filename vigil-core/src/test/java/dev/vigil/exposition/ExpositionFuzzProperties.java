package dev.vigil.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile input: bytes flipped, inserted, deleted and lines cut short in real expositions, and random bytes. The
 * parser never throws, reports at most the damaged line, and hands out every sample of every other line as
 * before. -Dvigil.seed=N replays a run.
 */
class ExpositionFuzzProperties {

    private static final byte[] NASTY = "{}\",=\\ \t#\n\r0.-+eE_:aé".getBytes(StandardCharsets.UTF_8);

    @Test
    void damageToOneSampleLineCostsThatLineAloneWhateverTheDamage() throws Exception {
        long seed = Long.getLong("vigil.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < 3_000; round++) {
            MetricSnapshots snapshots = ClientJavaCrossCheckProperties.registry(random);
            boolean om = random.nextBoolean();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (om) {
                OpenMetricsTextFormatWriter.create().write(out, snapshots, EscapingScheme.ALLOW_UTF8);
            } else {
                PrometheusTextFormatWriter.create().write(out, snapshots, EscapingScheme.ALLOW_UTF8);
            }
            var format = om ? ExpositionParser.Format.OPENMETRICS : ExpositionParser.Format.PROMETHEUS_TEXT;
            List<String> lines = new ArrayList<>(Arrays.asList(out.toString(StandardCharsets.UTF_8).split("\n", -1)));
            List<Integer> sampleLines = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).isEmpty() && !lines.get(i).startsWith("#")) {
                    sampleLines.add(i);
                }
            }
            int target = sampleLines.get(random.nextInt(sampleLines.size()));
            byte[] line = lines.get(target).getBytes(StandardCharsets.UTF_8);
            byte[] damaged = damage(line, random);
            String where = "seed " + seed + " (-Dvigil.seed=" + seed + " replays it), round " + round + ", line "
                    + (target + 1) + ": " + lines.get(target) + " -> " + new String(damaged, StandardCharsets.UTF_8);

            Collected before = parse(format, String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
            assertThat(before.errors).as(where).isEmpty();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int i = 0; i < lines.size(); i++) {
                body.write(i == target ? damaged : lines.get(i).getBytes(StandardCharsets.UTF_8));
                if (i < lines.size() - 1) {
                    body.write('\n');
                }
            }
            Collected after = parse(format, body.toByteArray());
            // A damaged line may now hold a line break: its parts count as damaged lines too.
            long breaks = new String(damaged, StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count();
            assertThat(after.errors.size()).as(where + "\n" + after.errors).isLessThanOrEqualTo(1 + (int) breaks);
            for (ParseError e : after.errors) {
                assertThat(e.line()).as(where).isBetween(target + 1, target + 1 + (int) breaks + (om ? 1 : 0)
                        + (e.message().startsWith("no \"# EOF\"") ? lines.size() : 0));
            }
            List<Collected.Point> kept = new ArrayList<>(before.samples);
            kept.remove(sampleLines.indexOf(target));
            assertThat(after.samples).as(where).containsAll(kept);
            assertThat(after.samples.size()).as(where).isLessThanOrEqualTo(kept.size() + 1 + (int) breaks);
        }
    }

    @Test
    void randomBytesNeverMakeTheParserThrowAndEveryErrorIsPlaced() {
        long seed = Long.getLong("vigil.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < 20_000; round++) {
            byte[] body = new byte[random.nextInt(200)];
            for (int i = 0; i < body.length; i++) {
                body[i] = random.nextInt(3) == 0 ? (byte) random.nextInt(256) : NASTY[random.nextInt(NASTY.length)];
            }
            long lines = 1;
            for (byte x : body) {
                lines += x == '\n' ? 1 : 0;
            }
            var format = random.nextBoolean() ? ExpositionParser.Format.OPENMETRICS : ExpositionParser.Format.PROMETHEUS_TEXT;
            Collected c = parse(format, body);
            for (ParseError e : c.errors) {
                assertThat(e.line()).as("seed %d round %d", seed, round).isBetween(1, (int) lines + 1);
                assertThat(e.column()).as("seed %d round %d", seed, round).isPositive();
                assertThat(e.message()).isNotBlank();
            }
        }
    }

    private static Collected parse(ExpositionParser.Format format, byte[] body) {
        Collected c = new Collected();
        new ExpositionParser(format).parse(body, 0, body.length, c);
        return c;
    }

    private static byte[] damage(byte[] line, Random r) {
        byte[] out = line.clone();
        for (int k = r.nextInt(3) + 1; k > 0; k--) {
            int at = out.length == 0 ? 0 : r.nextInt(out.length);
            byte nasty = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : NASTY[r.nextInt(NASTY.length)];
            switch (r.nextInt(4)) {
                case 0 -> {
                    if (out.length > 0) {
                        out[at] = nasty;
                    }
                }
                case 1 -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = nasty;
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
                case 2 -> {
                    if (out.length > 0) {
                        byte[] shorter = new byte[out.length - 1];
                        System.arraycopy(out, 0, shorter, 0, at);
                        System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
                        out = shorter;
                    }
                }
                default -> out = Arrays.copyOf(out, at);
            }
        }
        return out;
    }
}
