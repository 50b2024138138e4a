package dev.vigil.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.event.Rejection;
import dev.vigil.testkit.Gen;
import dev.vigil.testkit.Props;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JournalCodecProperties {

    /** Characters JSON and the codec treat specially: quotes, backslash, controls, separators, BOM, noncharacters. */
    static final String AWKWARD = "\"\\/\u0000\u0001\u0008\t\n\u000b\f\r\u001b\u001f\u007f\u0085\u00a0\u2028\u2029\ufeff\ufffd\ufffe\uffff";

    /**
     * A code point of any Unicode text: most are any char of the BMP but a surrogate (uniformly), one in ten
     * is outside the BMP (written as a surrogate pair), and one in ten is one of {@link #AWKWARD}, which a
     * uniform draw would almost never give. Lone surrogates never: no UTF-8 can hold them, and ingest
     * refuses them (EventDraft).
     */
    static int codePoint(Gen g) {
        double u = g.random().nextDouble();
        if (u < 0.1) {
            return g.ints(Character.MIN_SUPPLEMENTARY_CODE_POINT, Character.MAX_CODE_POINT);
        }
        if (u < 0.2) {
            return g.oneOf(AWKWARD.chars().boxed().toList());
        }
        return g.suchThat(() -> g.ints(0, 0xFFFF), c -> !Character.isSurrogate((char) (int) c));
    }

    /** 1 to 40 chars of any Unicode (see {@link #codePoint}). */
    static String text(Gen g) {
        return g.string(1, 40, () -> codePoint(g));
    }

    /** JSON numbers come back as the smallest Java type that holds them, as Jackson reads them. */
    static Object attributeValue(Gen g) {
        return switch (g.random().nextInt(3)) {
            case 0 -> text(g);
            case 1 -> {
                long l = g.anyLong();
                yield l == (int) l ? (Object) (int) l : (Object) l;
            }
            default -> g.bool();
        };
    }

    /**
     * Any time from about 1 BC to 9900, text source and name, any kind and outcome, up to four correlation
     * pairs, a duration seven times in ten, a peer (and its unit) half the time, up to three attributes.
     */
    static Event event(Gen g) {
        long time = g.longs(-62_000_000_000_000_000L, 250_000_000_000_000_000L);
        String source = text(g);
        String name = text(g);
        EventKind kind = g.oneOf(EventKind.class);
        Map<String, String> correlation = g.map(0, 4, () -> text(g), () -> text(g));
        Outcome outcome = g.oneOf(Outcome.class);
        Long duration = g.orNull(0.3, () -> g.longs(0, Long.MAX_VALUE / 2));
        String peer = g.orNull(0.5, () -> text(g));
        Map<String, Object> attributes = g.map(0, 3, () -> text(g), () -> attributeValue(g));
        return new Event(time, source, name, kind, correlation, outcome, duration, peer, peer == null ? null : peer + "-unit",
                attributes);
    }

    static List<Event> events(Gen g) {
        return g.list(0, 20, () -> event(g));
    }

    record Encoded(List<Event> events, int rejectedWrongType) {
    }

    @Test
    void aRecordDecodesToWhatWasEncoded() {
        Props.forAll(300, g -> new Encoded(events(g), g.anyInt()),
                in -> aRecordDecodesToWhatWasEncoded(in.events(), in.rejectedWrongType()));
    }

    static void aRecordDecodesToWhatWasEncoded(List<Event> events, int rejectedWrongType) {
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

    record Flipped(List<Event> events, int where, byte flip) {
    }

    @Test
    void anyFlippedByteIsCaughtByTheChecksum() {
        // Any flip but 0 (which changes nothing): 1 is one bit, -1 (0xff) all eight, -128 the top bit.
        Props.forAll(200, g -> new Flipped(events(g), g.anyInt(), (byte) g.ints(1, 255)),
                in -> anyFlippedByteIsCaughtByTheChecksum(in.events(), in.where(), in.flip()));
    }

    static void anyFlippedByteIsCaughtByTheChecksum(List<Event> events, int where, byte flip) {
        List<String> nulls = new ArrayList<>();
        events.forEach(e -> nulls.add(null));
        ByteBuffer framed = JournalCodec.encode(new JournalRecord(1, 1, 0, events, nulls, Map.of()));
        byte[] payload = Arrays.copyOfRange(framed.array(), JournalCodec.HEADER, framed.limit());
        int crc = framed.getInt(4);
        payload[Math.floorMod(where, payload.length)] ^= flip;
        assertThat(JournalCodec.intact(payload, crc)).isFalse();
    }

    record Keys(List<String> keys, String value) {
    }

    @Test
    void stringMapsSurviveTheAttributesColumn() {
        Props.forAll(500, g -> new Keys(g.list(0, 8, () -> text(g)), text(g)),
                in -> stringMapsSurviveTheAttributesColumn(in.keys(), in.value()));
    }

    static void stringMapsSurviveTheAttributesColumn(List<String> keys, String value) {
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
