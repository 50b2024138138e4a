package dev.vigil.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.event.Event;
import dev.vigil.event.IngestPolicy;
import dev.vigil.event.Rejection;
import dev.vigil.event.Timestamps;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Bad items never cost the good ones beside them, whatever the mix. */
class EventDecoderProperties {

    static final long NOW = Timestamps.parseRfc3339("2026-11-21T10:20:00Z");

    record Line(String text, boolean good, String id) {
    }

    @Provide
    Arbitrary<Line> lines() {
        Arbitrary<String> ids = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12);
        Arbitrary<Line> good = ids.map(id -> new Line("{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\","
                + "\"correlation\":{\"id\":\"" + id + "\"}}", true, id));
        Arbitrary<Line> bad = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(30).filter(s -> !s.isBlank() && s.indexOf('\n') < 0 && s.indexOf('\r') < 0)
                        .map(s -> new Line(s, false, null)),
                Arbitraries.of(
                        "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\"}",
                        "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":7,\"name\":\"n\"}",
                        "{\"time\":\"2099-01-01T00:00:00Z\",\"source\":\"s\",\"name\":\"n\"}",
                        "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\",\"outcome\":\"?\"}",
                        "[{\"time\":\"2026-11-21T10:15:30Z\"}]",
                        "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\"",
                        "null").map(s -> new Line(s, false, null)));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, good), net.jqwik.api.Tuple.of(2, bad));
    }

    @Property(tries = 500)
    void everyGoodLineIsKeptInOrderAndEveryBadLineIsReportedAtItsIndex(@ForAll @net.jqwik.api.constraints.Size(max = 30) List<@net.jqwik.api.From("lines") Line> lines) throws Exception {
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
