package dev.vigil.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.query.PageCursor;
import dev.vigil.testkit.Gen;
import dev.vigil.testkit.Props;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class TimestampsProperties {

    static final long YEAR_1_US = -62_135_596_800_000_000L;
    static final long YEAR_9999_US = 253_402_300_799_999_999L;

    static long anyMicros(Gen g) {
        return g.longs(YEAR_1_US, YEAR_9999_US);
    }

    static int offsetMinutes(Gen g) {
        return g.ints(-18 * 60, 18 * 60);
    }

    @Test
    void formattingThenParsingGivesBackTheSameMicrosecond() {
        Props.forAll(1000, TimestampsProperties::anyMicros, TimestampsProperties::formattingThenParsingGivesBackTheSameMicrosecond);
    }

    static void formattingThenParsingGivesBackTheSameMicrosecond(long micros) {
        assertThat(Timestamps.parseRfc3339(Timestamps.format(micros))).isEqualTo(micros);
    }

    record AtOffset(long micros, int offsetMinutes) {
    }

    @Test
    void anyOffsetDenotesTheSameInstantInUtc() {
        Props.forAll(1000, g -> new AtOffset(g.longs(0, 4_000_000_000_000_000L), offsetMinutes(g)),
                in -> anyOffsetDenotesTheSameInstantInUtc(in.micros(), in.offsetMinutes()));
    }

    static void anyOffsetDenotesTheSameInstantInUtc(long micros, int offsetMinutes) {
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(offsetMinutes * 60);
        String text = Timestamps.toInstant(micros).atOffset(offset)
                .format(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx"));
        assertThat(Timestamps.parseRfc3339(text)).isEqualTo(micros);
    }

    /** The characters an RFC 3339 text is made of, and a few that look like them. */
    static final String RFC3339_CHARS = "0123456789-+:.TtZz _/\u0660\uff10\u2212";

    record Mutated(long micros, int offsetMinutes, int fractionDigits, int mutateAt, char mutation, boolean mutate) {
        @Override
        public String toString() {
            return "Mutated[micros=" + micros + ", offsetMinutes=" + offsetMinutes + ", fractionDigits=" + fractionDigits
                    + ", mutateAt=" + mutateAt + ", mutation=\\u" + String.format("%04x", (int) mutation) + ", mutate=" + mutate + "]";
        }
    }

    @Test
    void theFastPathAgreesWithTheFormatterOnEveryTextEitherAccepts() {
        // The mutation is any char; one in four is one of the characters a timestamp is made of (or looks like),
        // which a uniform draw over 60,000 chars would almost never pick.
        Props.forAll(3000, g -> new Mutated(anyMicros(g), offsetMinutes(g), g.ints(0, 9), g.ints(0, 30),
                        g.chance(0.25) ? g.oneOf(RFC3339_CHARS.chars().mapToObj(c -> (char) c).toList()) : g.anyChar(), g.bool()),
                in -> theFastPathAgreesWithTheFormatterOnEveryTextEitherAccepts(in.micros(), in.offsetMinutes(),
                        in.fractionDigits(), in.mutateAt(), in.mutation(), in.mutate()));
    }

    static void theFastPathAgreesWithTheFormatterOnEveryTextEitherAccepts(long micros, int offsetMinutes, int fractionDigits,
                                                                          int mutateAt, char mutation, boolean mutate) {
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(offsetMinutes * 60);
        String pattern = "uuuu-MM-dd'T'HH:mm:ss" + (fractionDigits == 0 ? "" : "." + "S".repeat(fractionDigits)) + "xxx";
        String text = Timestamps.toInstant(micros).atOffset(offset).format(DateTimeFormatter.ofPattern(pattern));
        if (mutate && mutateAt < text.length()) {
            text = text.substring(0, mutateAt) + mutation + text.substring(mutateAt + 1);
        }
        Long viaFormatter;
        try {
            viaFormatter = Timestamps.parseWithFormatter(text);
        } catch (java.time.DateTimeException e) {
            viaFormatter = null;
        }
        Long viaParse;
        try {
            viaParse = Timestamps.parseRfc3339(text);
        } catch (java.time.DateTimeException e) {
            viaParse = null;
        }
        assertThat(viaParse).as(text).isEqualTo(viaFormatter);
    }

    @Test
    void instantsConvertBothWaysExactly() {
        Props.forAll(1000, TimestampsProperties::anyMicros, TimestampsProperties::instantsConvertBothWaysExactly);
    }

    static void instantsConvertBothWaysExactly(long micros) {
        Instant i = Timestamps.toInstant(micros);
        assertThat(Timestamps.toMicros(i)).isEqualTo(micros);
    }

    @Test
    void cursorsSurviveTheirEncoding() {
        Props.forAll(1000, g -> new PageCursor(g.anyLong(), g.anyLong(), g.bool()),
                c -> cursorsSurviveTheirEncoding(c.timeMicros(), c.seq(), c.newestFirst()));
    }

    static void cursorsSurviveTheirEncoding(long time, long seq, boolean newestFirst) {
        PageCursor c = new PageCursor(time, seq, newestFirst);
        assertThat(PageCursor.decode(c.encode())).contains(c);
    }

    /**
     * Any text of up to 255 chars, four times in five; otherwise the Base64url of something shaped like a cursor
     * ("v1:time:seq:a"), with parts that may be wrong, which reaches far deeper into the decoder than random text.
     */
    static String junk(Gen g) {
        if (!g.chance(0.2)) {
            return g.string(0, 255, g::anyChar);
        }
        String part = g.oneOf("v1", "v2", "V1", "", "v1:");
        String time = g.bool() ? Long.toString(g.anyLong()) : g.string(0, 6, g::anyChar);
        String seq = g.bool() ? Long.toString(g.anyLong()) : g.oneOf("", "+1", "-0", "1e3", "0x10", " 7", "9223372036854775808");
        String order = g.oneOf("a", "d", "", "ad", "D", "a:");
        String raw = part + ':' + time + ':' + seq + ':' + order;
        Base64.Encoder encoder = g.bool() ? Base64.getUrlEncoder().withoutPadding() : Base64.getUrlEncoder();
        return encoder.encodeToString(raw.getBytes(g.bool() ? StandardCharsets.US_ASCII : StandardCharsets.UTF_8));
    }

    @Test
    void arbitraryTextIsNeverMistakenForACursorThatDecodesWrongly() {
        Props.forAll(1000, TimestampsProperties::junk, TimestampsProperties::arbitraryTextIsNeverMistakenForACursorThatDecodesWrongly);
    }

    static void arbitraryTextIsNeverMistakenForACursorThatDecodesWrongly(String junk) {
        // Either it is refused, or it is a well-formed cursor that encodes back to the same token.
        PageCursor.decode(junk).ifPresent(c -> assertThat(PageCursor.decode(c.encode())).contains(c));
    }
}
