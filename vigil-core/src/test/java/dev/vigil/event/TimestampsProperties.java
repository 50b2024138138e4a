package dev.vigil.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.query.PageCursor;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class TimestampsProperties {

    static final long YEAR_1_US = -62_135_596_800_000_000L;
    static final long YEAR_9999_US = 253_402_300_799_999_999L;

    @Property
    void formattingThenParsingGivesBackTheSameMicrosecond(
            @ForAll @LongRange(min = YEAR_1_US, max = YEAR_9999_US) long micros) {
        assertThat(Timestamps.parseRfc3339(Timestamps.format(micros))).isEqualTo(micros);
    }

    @Property
    void anyOffsetDenotesTheSameInstantInUtc(
            @ForAll @LongRange(min = 0, max = 4_000_000_000_000_000L) long micros,
            @ForAll @IntRange(min = -18 * 60, max = 18 * 60) int offsetMinutes) {
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(offsetMinutes * 60);
        String text = Timestamps.toInstant(micros).atOffset(offset)
                .format(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx"));
        assertThat(Timestamps.parseRfc3339(text)).isEqualTo(micros);
    }

    @Property(tries = 3000)
    void theFastPathAgreesWithTheFormatterOnEveryTextEitherAccepts(
            @ForAll @LongRange(min = YEAR_1_US, max = YEAR_9999_US) long micros,
            @ForAll @IntRange(min = -18 * 60, max = 18 * 60) int offsetMinutes,
            @ForAll @IntRange(min = 0, max = 9) int fractionDigits,
            @ForAll @IntRange(min = 0, max = 30) int mutateAt,
            @ForAll char mutation,
            @ForAll boolean mutate) {
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

    @Property
    void instantsConvertBothWaysExactly(@ForAll @LongRange(min = YEAR_1_US, max = YEAR_9999_US) long micros) {
        Instant i = Timestamps.toInstant(micros);
        assertThat(Timestamps.toMicros(i)).isEqualTo(micros);
    }

    @Property
    void cursorsSurviveTheirEncoding(@ForAll long time, @ForAll long seq, @ForAll boolean newestFirst) {
        PageCursor c = new PageCursor(time, seq, newestFirst);
        assertThat(PageCursor.decode(c.encode())).contains(c);
    }

    @Property
    void arbitraryTextIsNeverMistakenForACursorThatDecodesWrongly(@ForAll String junk) {
        // Either it is refused, or it is a well-formed cursor that encodes back to the same token.
        PageCursor.decode(junk).ifPresent(c -> assertThat(PageCursor.decode(c.encode())).contains(c));
    }
}
