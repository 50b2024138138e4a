package dev.vigil.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.event.Rejection;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class JournalCodecProperties {

    @Provide
    Arbitrary<String> texts() {
        // Any Unicode, including characters outside the BMP, quotes, backslashes and control characters.
        // Lone surrogates are excluded: no UTF-8 can hold them, and ingest refuses them (EventDraft).
        return Arbitraries.strings().all().ofMinLength(1).ofMaxLength(40)
                .filter(s -> s.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF));
    }

    @Provide
    Arbitrary<Event> events() {
        Arbitrary<String> t = texts();
        Arbitrary<Map<String, String>> corr = Arbitraries.maps(t, t).ofMaxSize(4);
        Arbitrary<Map<String, Object>> attrs = Arbitraries.maps(t,
                Arbitraries.oneOf(t.map(s -> (Object) s),
                        // JSON numbers come back as the smallest Java type that holds them, as Jackson reads them.
                        Arbitraries.longs().map(l -> l == (int) (long) l ? (Object) (int) (long) l : (Object) l),
                        Arbitraries.of(true, false).map(b -> (Object) b))).ofMaxSize(3);
        return Combinators.combine(
                Arbitraries.longs().between(-62_000_000_000_000_000L, 250_000_000_000_000_000L),
                t, t, Arbitraries.of(EventKind.class), corr, Arbitraries.of(Outcome.class),
                Arbitraries.longs().between(0, Long.MAX_VALUE / 2).injectNull(0.3),
                t.injectNull(0.5)).as((time, source, name, kind, c, outcome, dur, peer) ->
                new Event(time, source, name, kind, c, outcome, dur, peer, peer == null ? null : peer + "-unit", Map.of()))
                .flatMap(e -> attrs.map(a -> new Event(e.timeMicros(), e.source(), e.name(), e.kind(), e.correlation(),
                        e.outcome(), e.durationMicros(), e.peer(), e.unit(), a)));
    }

    @Property(tries = 300)
    void aRecordDecodesToWhatWasEncoded(@ForAll @net.jqwik.api.constraints.Size(max = 20) List<@net.jqwik.api.From("events") Event> events, @ForAll int rejectedWrongType) {
        List<String> attrs = new ArrayList<>();
        for (Event e : events) {
            attrs.add(JsonValues.write(e.attributes()));
        }
        Map<Rejection.Code, Long> rejections = new EnumMap<>(Rejection.Code.class);
        if (rejectedWrongType > 0) {
            rejections.put(Rejection.Code.WRONG_TYPE, (long) rejectedWrongType);
        }
        JournalRecord r = new JournalRecord(7, 1000, 42, events, attrs, rejections);
        ByteBuffer framed = JournalCodec.encode(r);
        byte[] all = Arrays.copyOfRange(framed.array(), 0, framed.limit());
        int len = ByteBuffer.wrap(all).getInt(0);
        int crc = ByteBuffer.wrap(all).getInt(4);
        byte[] payload = Arrays.copyOfRange(all, JournalCodec.HEADER, all.length);
        assertThat(len).isEqualTo(payload.length);
        assertThat(JournalCodec.intact(payload, crc)).isTrue();
        JournalRecord back;
        try {
            back = JournalCodec.decode(payload);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertThat(back.recordNo()).isEqualTo(7);
        assertThat(back.firstSeq()).isEqualTo(1000);
        assertThat(back.events()).isEqualTo(events);
        // The correlation travels as pairs inside the events (compared above); the attributes as JSON text.
        assertThat(back.attributesJson()).isEqualTo(attrs);
        assertThat(back.rejections()).isEqualTo(rejections);
    }

    @Property(tries = 200)
    void anyFlippedByteIsCaughtByTheChecksum(@ForAll @net.jqwik.api.constraints.Size(max = 20) List<@net.jqwik.api.From("events") Event> events, @ForAll int where, @ForAll byte flip) {
        if (flip == 0) {
            return;
        }
        List<String> nulls = new ArrayList<>();
        events.forEach(e -> nulls.add(null));
        ByteBuffer framed = JournalCodec.encode(new JournalRecord(1, 1, 0, events, nulls, Map.of()));
        byte[] payload = Arrays.copyOfRange(framed.array(), JournalCodec.HEADER, framed.limit());
        int crc = framed.getInt(4);
        payload[Math.floorMod(where, payload.length)] ^= flip;
        assertThat(JournalCodec.intact(payload, crc)).isFalse();
    }

    @Property(tries = 500)
    void stringMapsSurviveTheAttributesColumn(@ForAll @net.jqwik.api.constraints.Size(max = 8) List<@net.jqwik.api.From("texts") String> keys, @ForAll("texts") String value) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : keys) {
            m.put(k, value + k);
        }
        if (m.isEmpty()) {
            assertThat(JsonValues.write(m)).isNull();
            return;
        }
        assertThat(JsonValues.readObject(JsonValues.write(m))).isEqualTo(m);
    }
}
