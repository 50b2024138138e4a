package dev.vigil.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.event.Event;
import dev.vigil.event.IngestPolicy;
import dev.vigil.event.Rejection;
import dev.vigil.event.Timestamps;
import dev.vigil.testkit.Gen;
import dev.vigil.testkit.Props;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad items never cost the good ones beside them, whatever the mix. */
class EventDecoderProperties {

    static final long NOW = Timestamps.parseRfc3339("2026-11-21T10:20:00Z");

    record Line(String text, boolean good, String id) {
    }

    /** Letters and digits: upper case, lower case and digits each a third of the time, as the id's chars. */
    static char alphanumeric(Gen g) {
        return switch (g.random().nextInt(3)) {
            case 0 -> (char) g.ints('A', 'Z');
            case 1 -> (char) g.ints('a', 'z');
            default -> (char) g.ints('0', '9');
        };
    }

    static final List<String> BAD = List.of(
            "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\"}",
            "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":7,\"name\":\"n\"}",
            "{\"time\":\"2099-01-01T00:00:00Z\",\"source\":\"s\",\"name\":\"n\"}",
            "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\",\"outcome\":\"?\"}",
            "[{\"time\":\"2026-11-21T10:15:30Z\"}]",
            "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\"",
            "null");

    /**
     * A good line (three times in five): a valid event whose correlation id (1 to 12 letters and digits) tells it
     * apart. Otherwise a bad one, half the time any text of up to 30 chars that is not blank and holds no line
     * break, half the time one of {@link #BAD}: a field missing, of the wrong type, in the future, an unknown
     * outcome, an array, cut short, null.
     */
    static Line line(Gen g) {
        if (g.chance(0.6)) {
            String id = g.string(1, 12, () -> alphanumeric(g));
            return new Line("{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\","
                    + "\"correlation\":{\"id\":\"" + id + "\"}}", true, id);
        }
        String bad = g.bool()
                ? g.suchThat(() -> g.string(0, 30, g::anyChar), s -> !s.isBlank() && s.indexOf('\n') < 0 && s.indexOf('\r') < 0)
                : g.oneOf(BAD);
        return new Line(bad, false, null);
    }

    @Test
    void everyGoodLineIsKeptInOrderAndEveryBadLineIsReportedAtItsIndex() {
        Props.forAll(500, g -> g.list(0, 30, () -> line(g)),
                EventDecoderProperties::everyGoodLineIsKeptInOrderAndEveryBadLineIsReportedAtItsIndex);
    }

    static void everyGoodLineIsKeptInOrderAndEveryBadLineIsReportedAtItsIndex(List<Line> lines) throws Exception {
        String body = String.join("\n", lines.stream().map(Line::text).toList());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        DecodedBatch b = new EventDecoder(IngestPolicy.DEFAULT).decode(bytes, bytes.length, EventDecoder.Format.NDJSON, NOW);

        List<String> goodIds = new ArrayList<>();
        List<Integer> badIndexes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            if (l.good()) {
                goodIds.add(l.id());
            } else if (!isAcceptableByAccident(l.text())) {
                badIndexes.add(i);
            }
        }
        List<String> kept = b.events().stream().map(Event::correlation).map(c -> c.get("id")).filter(java.util.Objects::nonNull).toList();
        assertThat(kept).isEqualTo(goodIds);
        assertThat(b.rejections().stream().map(Rejection::index).toList()).containsAll(badIndexes);
        assertThat(b.rejections()).allSatisfy(r -> assertThat(r.reason()).isNotBlank());
    }

    /** A random string can happen to be a valid event only in theory; those few are not "bad". */
    private static boolean isAcceptableByAccident(String text) {
        try {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            return new EventDecoder(IngestPolicy.DEFAULT).decode(b, b.length, EventDecoder.Format.NDJSON, NOW)
                    .rejections().isEmpty();
        } catch (Exception e) {
            return false;
        }
    }
}
