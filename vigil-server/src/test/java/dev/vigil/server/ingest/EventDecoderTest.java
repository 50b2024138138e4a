package dev.vigil.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.IngestPolicy;
import dev.vigil.event.Outcome;
import dev.vigil.event.Rejection;
import dev.vigil.event.Timestamps;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventDecoderTest {

    static final long NOW = Timestamps.parseRfc3339("2026-11-21T10:20:00Z");
    final EventDecoder decoder = new EventDecoder(IngestPolicy.DEFAULT);

    DecodedBatch ndjson(String body) throws Exception {
        return ndjson(body.getBytes(StandardCharsets.UTF_8));
    }

    DecodedBatch ndjson(byte[] body) throws Exception {
        return decoder.decode(body, body.length, EventDecoder.Format.NDJSON, NOW);
    }

    DecodedBatch json(String body) throws Exception {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return decoder.decode(b, b.length, EventDecoder.Format.JSON, NOW);
    }

    @Test
    void theDocumentedExampleDecodesIntoEveryField() throws Exception {
        DecodedBatch b = json("""
                {"time": "2026-11-21T10:15:30.123456Z", "source": "billing", "name": "CreateInvoice", "kind": "call",
                 "correlation": {"orderId": "A-17"}, "outcome": "ok", "durationMs": 12.5, "peer": "tax-gateway",
                 "unit": "retail", "attributes": {"region": "eu"}, "host": "b-1"}""");
        assertThat(b.rejections()).isEmpty();
        assertThat(b.events()).containsExactly(new Event(Timestamps.parseRfc3339("2026-11-21T10:15:30.123456Z"),
                "billing", "CreateInvoice", EventKind.CALL, Map.of("orderId", "A-17"), Outcome.OK, 12_500L,
                "tax-gateway", "retail", Map.of("region", "eu", "host", "b-1")));
    }

    @Test
    void timeMayBeAnyOffsetOrEpochMillisAndIsNormalisedToUtcMicros() throws Exception {
        DecodedBatch b = ndjson("""
                {"time":"2026-11-21T11:15:30.5+01:00","source":"s","name":"n"}
                {"time":1795256130500,"source":"s","name":"n"}
                {"time":1795256130500.25,"source":"s","name":"n"}
                {"time":"2026-11-21 10:15:30.5z","source":"s","name":"n"}
                """);
        assertThat(b.rejections()).isEmpty();
        assertThat(b.events()).extracting(Event::timeMicros).containsExactly(
                1795256130500000L, 1795256130500000L, 1795256130500250L, 1795256130500000L);
    }

    @Test
    void aMalformedLineRejectsThatLineOnlyAndKeepsTheGoodOnesAroundIt() throws Exception {
        DecodedBatch b = ndjson("""
                {"time":"2026-11-21T10:15:30Z","source":"a","name":"n"}
                {"time":"2026-11-21T10:15:30Z","source":"b",
                
                {"time":"2026-11-21T10:15:30Z","source":"c","name":"n"}
                """);
        assertThat(b.events()).extracting(Event::source).containsExactly("a", "c");
        assertThat(b.rejections()).singleElement().satisfies(r -> {
            assertThat(r.index()).isEqualTo(1);
            assertThat(r.code()).isEqualTo(Rejection.Code.MALFORMED_JSON);
            assertThat(r.reason()).startsWith("not valid JSON at column");
        });
    }

    @Test
    void missingRequiredFieldsAreNamed() throws Exception {
        DecodedBatch b = ndjson("""
                {"source":"s","name":"n"}
                {"time":"2026-11-21T10:15:30Z","name":"n"}
                {"time":"2026-11-21T10:15:30Z","source":"s"}
                {"time":"2026-11-21T10:15:30Z","source":"  ","name":"n"}
                """);
        assertThat(b.events()).isEmpty();
        assertThat(b.rejections()).extracting(Rejection::index, Rejection::field, Rejection::code).containsExactly(
                org.assertj.core.groups.Tuple.tuple(0, "time", Rejection.Code.MISSING_FIELD),
                org.assertj.core.groups.Tuple.tuple(1, "source", Rejection.Code.MISSING_FIELD),
                org.assertj.core.groups.Tuple.tuple(2, "name", Rejection.Code.MISSING_FIELD),
                org.assertj.core.groups.Tuple.tuple(3, "source", Rejection.Code.INVALID_VALUE));
    }

    @Test
    void wrongTypesAreRejectedWithTheFieldAndWhatWasExpected() throws Exception {
        DecodedBatch b = ndjson("""
                {"time":true,"source":"s","name":"n"}
                {"time":"2026-11-21T10:15:30Z","source":42,"name":"n"}
                {"time":"2026-11-21T10:15:30Z","source":"s","name":"n","durationMs":"12"}
                {"time":"2026-11-21T10:15:30Z","source":"s","name":"n","correlation":["A-17"]}
                {"time":"2026-11-21T10:15:30Z","source":"s","name":"n","correlation":{"orderId":{"x":1}}}
                {"time":"2026-11-21T10:15:30Z","source":"s","name":"n","attributes":"eu"}
                [1,2]
                """);
        assertThat(b.events()).isEmpty();
        assertThat(b.rejections()).extracting(Rejection::field).containsExactly(
                "time", "source", "durationMs", "correlation", "correlation.orderId", "attributes", null);
        assertThat(b.rejections().get(1).reason()).isEqualTo("expected a string, found a number");
        assertThat(b.rejections().get(6).reason()).isEqualTo("each line must be one JSON object, found an array");
        assertThat(b.rejections()).extracting(Rejection::code).containsOnly(
                Rejection.Code.WRONG_TYPE, Rejection.Code.NOT_AN_OBJECT);
    }

    @Test
    void invalidValuesAreRejectedWithAReasonThatSaysWhatIsAllowed() throws Exception {
        DecodedBatch b = ndjson("""
                {"time":"yesterday","source":"s","name":"n"}
                {"time":"2026-11-21T10:15:30Z","source":"s","name":"n","outcome":"meh"}
                {"time":"2026-11-21T10:15:30Z","source":"s","name":"n","kind":"span"}
                {"time":"2026-11-21T10:15:30Z","source":"s","name":"n","durationMs":-1}
                """);
        assertThat(b.rejections()).extracting(Rejection::reason).containsExactly(
                "not an RFC 3339 timestamp (e.g. 2026-11-21T10:15:30.123456Z): \"yesterday\"",
                "unknown outcome \"meh\": use one of ok, error, timeout",
                "unknown kind \"span\": use one of activity, call, message, other",
                "duration must be between 0 and 1e12 ms: -1");
    }

    @Test
    void timesOutsideTheSkewWindowAreRejectedNotClamped() throws Exception {
        DecodedBatch b = ndjson("""
                {"time":"2026-11-21T10:30:00Z","source":"s","name":"n"}
                {"time":"2025-01-01T00:00:00Z","source":"s","name":"n"}
                {"time":"2026-11-21T10:24:59Z","source":"s","name":"n"}
                """);
        assertThat(b.events()).hasSize(1);
        assertThat(b.rejections()).extracting(Rejection::code)
                .containsExactly(Rejection.Code.TIME_IN_FUTURE, Rejection.Code.TIME_TOO_OLD);
        assertThat(b.rejections().get(0).reason()).isEqualTo("time 2026-11-21T10:30:00.000000Z is more than 5m ahead "
                + "of the receiver's clock (2026-11-21T10:20:00.000000Z); check the sender's clock or raise --max-future-skew");
    }

    @Test
    void invalidUtf8InALineRejectsThatLineAsInvalidUtf8() throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"ok\",\"name\":\"n\"}\n".getBytes(StandardCharsets.UTF_8));
        body.writeBytes("{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"".getBytes(StandardCharsets.UTF_8));
        body.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28});
        body.writeBytes("\",\"name\":\"n\"}\n".getBytes(StandardCharsets.UTF_8));
        DecodedBatch b = ndjson(body.toByteArray());
        assertThat(b.events()).extracting(Event::source).containsExactly("ok");
        assertThat(b.rejections()).singleElement().satisfies(r -> {
            assertThat(r.index()).isEqualTo(1);
            assertThat(r.code()).isEqualTo(Rejection.Code.INVALID_UTF8);
        });
    }

    @Test
    void aJsonArrayKeepsGoodElementsAndRejectsBadOnesByIndex() throws Exception {
        DecodedBatch b = json("""
                [{"time":"2026-11-21T10:15:30Z","source":"a","name":"n"},
                 "oops",
                 {"time":"2026-11-21T10:15:30Z","source":"b","name":7, "attributes": {"deep": [1, {"x": null}]}},
                 {"time":"2026-11-21T10:15:30Z","source":"c","name":"n"}]""");
        assertThat(b.events()).extracting(Event::source).containsExactly("a", "c");
        assertThat(b.rejections()).extracting(Rejection::index, Rejection::field).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, null), org.assertj.core.groups.Tuple.tuple(2, "name"));
    }

    @Test
    void anArrayElementThatIsNotJsonIsRejectedAloneWithTheLineAndColumnOfTheBody() throws Exception {
        DecodedBatch b = json("[{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"a\",\"name\":\"n\"},\n"
                + " {\"time\":\"2026-11-21T10:15:30Z\",\n \"source\": oops},"
                + " {\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"c\",\"name\":\"n\"}]");
        assertThat(b.events()).extracting(Event::source).containsExactly("a", "c");
        assertThat(b.rejections()).singleElement().satisfies(r -> {
            assertThat(r.index()).isEqualTo(1);
            assertThat(r.code()).isEqualTo(Rejection.Code.MALFORMED_JSON);
            assertThat(r.reason()).contains("line 3, column ");
        });
    }

    @Test
    void aJsonBodyWhoseBracketsDoNotCloseIsRefusedWholeWithLineAndColumn() {
        assertThatThrownBy(() -> json("[{\"time\":\"2026-11-21T10:15:30Z\",\n \"source\": \"oops}]"))
                .isInstanceOfSatisfying(EventDecoder.UnreadableBody.class, e -> {
                    assertThat(e.error().status()).isEqualTo(400);
                    assertThat(e.error().error()).isEqualTo("malformed_json");
                    assertThat(e.error().detail()).contains("a '\"' is missing");
                    assertThat(e.error().at()).startsWith("line 2, column ");
                });
        assertThatThrownBy(() -> json("[{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\"}"))
                .isInstanceOfSatisfying(EventDecoder.UnreadableBody.class,
                        e -> assertThat(e.error().detail()).startsWith("the body ends before the JSON is complete").doesNotContain("REDACTED"));
        assertThatThrownBy(() -> json("42"))
                .isInstanceOfSatisfying(EventDecoder.UnreadableBody.class, e -> assertThat(e.error().detail())
                        .isEqualTo("the body must be one event object or an array of them, found a number"));
    }

    @Test
    void epochMillisBeyondTheRepresentableRangeAreOutOfRangeNotInTheFuture() throws Exception {
        DecodedBatch b = ndjson("{\"time\":1e300,\"source\":\"s\",\"name\":\"n\"}\n"
                + "{\"time\":99999999999999999999999,\"source\":\"s\",\"name\":\"n\"}");
        assertThat(b.rejections()).extracting(Rejection::code).containsExactly(
                Rejection.Code.INVALID_VALUE, Rejection.Code.INVALID_VALUE);
        assertThat(b.rejections()).allSatisfy(r -> assertThat(r.reason()).startsWith("epoch milliseconds out of range"));
    }

    @Test
    void messagesDoNotTalkAboutTheParsersSettings() throws Exception {
        DecodedBatch b = ndjson("{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\",\"durationMs\":NaN}\n"
                + "{\"x\":" + "[".repeat(40) + "]".repeat(40) + "}");
        assertThat(b.rejections()).hasSize(2).allSatisfy(r -> assertThat(r.reason()).doesNotContain("`", "enable"));
        assertThat(b.rejections().get(1).reason()).contains("nested deeper than 32 levels");
    }

    @Test
    void deeplyNestedAttributesAreRejectedInsteadOfExhaustingTheStack() throws Exception {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        DecodedBatch b = ndjson("{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\",\"x\":" + deep + "}\n"
                + "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\"}");
        assertThat(b.events()).hasSize(1);
        assertThat(b.rejections()).singleElement().extracting(Rejection::code).isEqualTo(Rejection.Code.TOO_DEEP);
    }

    private static byte[] withBytes(String before, byte[] bad, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(bad);
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void overlongFormsSurrogatesAndCodePointsAboveTheLastAreRejectedNamingTheFieldNotStoredAltered() throws Exception {
        String good = "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"ok\",\"name\":\"n\"}\n";
        byte[][] bad = {
                {(byte) 0xC0, (byte) 0x80},                          // overlong NUL
                {(byte) 0xE0, (byte) 0x80, (byte) 0x80},             // overlong NUL, three bytes
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80},             // a surrogate
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // U+110000
                {(byte) 0xFF},
        };
        String[] problems = {"overlong", "overlong", "surrogate", "above U+10FFFF", "never occurs"};
        for (int k = 0; k < bad.length; k++) {
            byte[] line = withBytes("{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\","
                    + "\"correlation\":{\"orderId\":\"A", bad[k], "\"}}\n");
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(good.getBytes(StandardCharsets.UTF_8));
            body.writeBytes(line);
            body.writeBytes(good.getBytes(StandardCharsets.UTF_8));
            DecodedBatch b = ndjson(body.toByteArray());
            int at = k;
            assertThat(b.events()).as("case %d", k).extracting(Event::source).containsExactly("ok", "ok");
            assertThat(b.rejections()).as("case %d", k).singleElement().satisfies(r -> {
                assertThat(r.index()).isEqualTo(1);
                assertThat(r.code()).isEqualTo(Rejection.Code.INVALID_UTF8);
                assertThat(r.field()).isEqualTo("correlation.orderId");
                assertThat(r.reason()).contains(problems[at]).contains("byte offset 82 of the item");
            });
            // The same item inside a JSON array: rejected alone there too.
            ByteArrayOutputStream array = new ByteArrayOutputStream();
            array.writeBytes(("[" + good.strip() + ",").getBytes(StandardCharsets.UTF_8));
            array.writeBytes(java.util.Arrays.copyOf(line, line.length - 1));
            array.writeBytes(("," + good.strip() + "]").getBytes(StandardCharsets.UTF_8));
            DecodedBatch a = decoder.decode(array.toByteArray(), array.size(), EventDecoder.Format.JSON, NOW);
            assertThat(a.events()).as("array case %d", k).hasSize(2);
            assertThat(a.rejections()).as("array case %d", k).singleElement()
                    .extracting(Rejection::index, Rejection::field, Rejection::code)
                    .containsExactly(1, "correlation.orderId", Rejection.Code.INVALID_UTF8);
        }
    }

    @Test
    void aByteOrderMarkBeforeAJsonBodyIsIgnoredAndABodyOfBlanksIsEmpty() throws Exception {
        byte[] bom = withBytes("", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                "[{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\"}]");
        assertThat(decoder.decode(bom, bom.length, EventDecoder.Format.JSON, NOW).events()).hasSize(1);
        assertThatThrownBy(() -> json("   \n "))
                .isInstanceOfSatisfying(EventDecoder.UnreadableBody.class, e -> assertThat(e.error().error()).isEqualTo("empty_body"));
    }

    @Test
    void anArrayItemNestedTooDeepIsRejectedAloneWithItsIndex() throws Exception {
        String good = "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"ok\",\"name\":\"n\"}";
        String deep = "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\",\"attributes\":{\"x\":"
                + "[".repeat(40) + "]".repeat(40) + "}}";
        DecodedBatch b = json("[" + good + "," + deep + "," + good + "]");
        assertThat(b.events()).hasSize(2);
        assertThat(b.rejections()).singleElement().satisfies(r -> {
            assertThat(r.index()).isEqualTo(1);
            assertThat(r.code()).isEqualTo(Rejection.Code.TOO_DEEP);
            assertThat(r.field()).startsWith("attributes.x");
        });
        // Exactly the limit is fine: the item is level 1, so 31 more levels fit.
        String fits = "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\",\"x\":"
                + "[".repeat(31) + "]".repeat(31) + "}";
        assertThat(json("[" + fits + "]").events()).hasSize(1);
    }

    @Test
    void aHugeCorrelationKeyNameIsTooLongNamingTheFieldAndTheOtherItemsAreKept() throws Exception {
        String good = "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"ok\",\"name\":\"n\"}";
        String huge = "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\",\"correlation\":{\""
                + "k".repeat(100_000) + "\":\"v\"}}";
        for (DecodedBatch b : List.of(ndjson(good + "\n" + huge + "\n" + good), json("[" + good + "," + huge + "," + good + "]"))) {
            assertThat(b.events()).hasSize(2);
            assertThat(b.rejections()).singleElement().satisfies(r -> {
                assertThat(r.index()).isEqualTo(1);
                assertThat(r.code()).isEqualTo(Rejection.Code.TOO_LONG);
                assertThat(r.field()).isEqualTo("correlation");
            });
        }
        // The object holding the long key is named, not the key before it; at the top, no field.
        String afterAnother = "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\",\"correlation\":{\"id\":\"1\",\""
                + "k".repeat(100_000) + "\":\"v\"}}";
        assertThat(ndjson(afterAnother).rejections()).singleElement().extracting(Rejection::field).isEqualTo("correlation");
        String atTop = "{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\",\"" + "k".repeat(100_000) + "\":1}";
        assertThat(ndjson(atTop).rejections()).singleElement().satisfies(r -> {
            assertThat(r.code()).isEqualTo(Rejection.Code.TOO_LONG);
            assertThat(r.field()).isNull();
        });
    }

    @Test
    void numericCorrelationIdsBecomeTextAndNullOptionalsAreAbsent() throws Exception {
        DecodedBatch b = ndjson("{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\","
                + "\"correlation\":{\"orderId\":17},\"peer\":null,\"durationMs\":null}");
        assertThat(b.events()).singleElement().satisfies(e -> {
            assertThat(e.correlation()).containsEntry("orderId", "17");
            assertThat(e.peer()).isNull();
            assertThat(e.kind()).isEqualTo(EventKind.ACTIVITY);
        });
    }

    @Test
    void trailingContentAfterAnObjectOnALineIsRejected() throws Exception {
        DecodedBatch b = ndjson("{\"time\":\"2026-11-21T10:15:30Z\",\"source\":\"s\",\"name\":\"n\"} {\"x\":1}");
        assertThat(b.events()).isEmpty();
        assertThat(b.rejections()).singleElement().extracting(Rejection::reason, org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("put one object on each line");
        assertThat(List.of(b.items())).containsExactly(1);
    }
}
