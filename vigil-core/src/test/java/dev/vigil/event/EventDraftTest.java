package dev.vigil.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EventDraftTest {

    static final long NOW = Timestamps.parseRfc3339("2026-11-21T10:00:00Z");

    static EventDraft valid() {
        return new EventDraft().timeMicros(NOW).source("billing").name("CreateInvoice");
    }

    Rejection rejected(EventDraft d) {
        return ((EventDraft.Invalid) d.check(3, NOW, IngestPolicy.DEFAULT)).rejection();
    }

    @Test
    void kindDefaultsToCallWhenTheEventHasADurationOrAPeerAndToActivityOtherwise() {
        assertThat(((EventDraft.Valid) valid().check(0, NOW, IngestPolicy.DEFAULT)).event().kind()).isEqualTo(EventKind.ACTIVITY);
        assertThat(((EventDraft.Valid) valid().durationMicros(5).check(0, NOW, IngestPolicy.DEFAULT)).event().kind())
                .isEqualTo(EventKind.CALL);
        assertThat(((EventDraft.Valid) valid().peer("tax").check(0, NOW, IngestPolicy.DEFAULT)).event().kind())
                .isEqualTo(EventKind.CALL);
    }

    @Test
    void kindAndOutcomeAreCaseInsensitive() {
        Event e = ((EventDraft.Valid) valid().kind("CALL").outcome("Timeout").check(0, NOW, IngestPolicy.DEFAULT)).event();
        assertThat(e.kind()).isEqualTo(EventKind.CALL);
        assertThat(e.outcome()).isEqualTo(Outcome.TIMEOUT);
    }

    @Test
    void rejectionsCarryTheItemIndexAndField() {
        Rejection r = rejected(valid().source("x".repeat(257)));
        assertThat(r.index()).isEqualTo(3);
        assertThat(r.field()).isEqualTo("source");
        assertThat(r.code()).isEqualTo(Rejection.Code.TOO_LONG);
        assertThat(r.reason()).isEqualTo("longer than 256 characters (257)");
    }

    @Test
    void controlCharactersInNamesAreRefused() {
        Rejection r = rejected(valid().name("Create\nInvoice"));
        assertThat(r.field()).isEqualTo("name");
        assertThat(r.reason()).isEqualTo("contains a control character at position 6");
    }

    @Test
    void halfAUnicodeCharacterIsRefusedButAWholeOneIsKept() {
        assertThat(rejected(valid().name("order\ud800")).reason())
                .isEqualTo("contains half a Unicode character (an unpaired surrogate) at position 5");
        assertThat(rejected(valid().correlate("orderId", "\udc00x")).field()).isEqualTo("correlation.orderId");
        assertThat(valid().name("order \ud83d\udce6").check(0, NOW, IngestPolicy.DEFAULT)).isInstanceOf(EventDraft.Valid.class);
    }

    @Test
    void correlationKeysAndValuesAreChecked() {
        assertThat(rejected(valid().correlate("orderId", "")).field()).isEqualTo("correlation.orderId");
        assertThat(rejected(valid().correlate("", "A-1")).reason()).isEqualTo("correlation key must not be empty");
        EventDraft many = valid();
        for (int i = 0; i < 33; i++) {
            many.correlate("k" + i, "v");
        }
        assertThat(rejected(many).reason()).isEqualTo("too many correlation keys: 33 (the limit is 32)");
    }

    @Test
    void theSkewWindowIsConfigurableAndItsEdgesAreInclusive() {
        IngestPolicy tight = IngestPolicy.DEFAULT.withSkew(Duration.ofSeconds(1), Duration.ofSeconds(10));
        assertThat(valid().timeMicros(NOW + 1_000_000).check(0, NOW, tight)).isInstanceOf(EventDraft.Valid.class);
        assertThat(valid().timeMicros(NOW + 1_000_001).check(0, NOW, tight)).isInstanceOf(EventDraft.Invalid.class);
        assertThat(valid().timeMicros(NOW - 10_000_000).check(0, NOW, tight)).isInstanceOf(EventDraft.Valid.class);
        assertThat(((EventDraft.Invalid) valid().timeMicros(NOW - 10_000_001).check(0, NOW, tight)).rejection().code())
                .isEqualTo(Rejection.Code.TIME_TOO_OLD);
    }

    @Test
    void theUninterpretedKindIsVigilsOwnAndRefusedFromSenders() {
        assertThat(rejected(valid().kind("uninterpreted")).reason()).isEqualTo("kind \"uninterpreted\" is Vigil's own, "
                + "for objects no rule matched: use one of activity, call, message, other");
        Event kept = ((EventDraft.Valid) valid().kind(EventKind.UNINTERPRETED).check(0, NOW, IngestPolicy.DEFAULT)).event();
        assertThat(kept.kind()).isEqualTo(EventKind.UNINTERPRETED);
    }
}
