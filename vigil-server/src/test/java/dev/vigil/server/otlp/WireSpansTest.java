package dev.vigil.server.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.vigil.event.Event;
import dev.vigil.event.IngestPolicy;
import dev.vigil.event.Rejection;
import dev.vigil.link.SpanRef;
import dev.vigil.testkit.Gen;
import dev.vigil.testkit.Props;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The span reader that works on the request's bytes ({@link WireSpans}) against the reference: protobuf's own parser
 * and the mapping of {@link SpanEvents} ({@link OtlpProtobuf#decode}), on random requests that go out of their way
 * to hit the awkward cases (attributes of every kind, repeated and clashing keys, text that JSON must escape or that
 * is not ASCII, bad ids and times, resources after their spans, fields protobuf merges).
 */
class WireSpansTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW_MICROS = 1_765_000_000_000_000L;
    private static final Map<String, List<String>> SPAN_KEYS = orderedKeys();
    private static final SpanEvents MAPPER = new SpanEvents(IngestPolicy.DEFAULT, SPAN_KEYS);
    private static final WireSpans WIRE = new WireSpans(MAPPER);

    private static final List<String> KEYS = List.of("http.method", "peer.service", "server.address", "net.peer.name",
            "db.system", "db.name", "messaging.destination.name", "order.id", "orderId", "customer.id", "host.name",
            "k8s.pod.name", "container.id", "service.instance.id", "spanId", "spanKind", "statusMessage", "", "a\"b",
            "weiß", "x\ny");

    private static Map<String, List<String>> orderedKeys() {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        keys.put("orderId", List.of("order.id", "orderId"));
        keys.put("customer", List.of("customer.id"));
        return keys;
    }

    @Test
    void theBytesReaderMakesTheSameEventsAttributesAndRejectionsAsProtobufsOwnParser() {
        AtomicInteger fast = new AtomicInteger();
        AtomicInteger slow = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        Props.forAll(400, WireSpansTest::request, body -> {
            SpanEvents.Result expected = MAPPER.toEvents(OtlpProtobuf.decode(body, body.length), NOW_MICROS);
            WireSpans.Read read = WIRE.read(body, body.length, NOW_MICROS);
            SpanEvents.Result actual = read.result();
            assertThat(read.total()).isEqualTo(OtlpProtobuf.decode(body, body.length).total());
            assertThat(actual.rejections()).isEqualTo(expected.rejections());
            assertThat(actual.events()).hasSameSizeAs(expected.events());
            rejected.addAndGet(actual.rejections().size());
            for (int i = 0; i < expected.events().size(); i++) {
                Event want = expected.events().get(i);
                Event got = actual.events().get(i);
                String json = actual.attributesJson().get(i);
                if (json == null) {
                    slow.incrementAndGet();
                    assertThat(got).isEqualTo(want);
                    continue;
                }
                fast.incrementAndGet();
                assertThat(withoutAttributes(got)).as("event %d", i).isEqualTo(withoutAttributes(want));
                assertThat(got.attributes()).as("what the pipeline reads of event %d", i)
                        .isEqualTo(SpanRef.carried(want.attributes()));
                // Same members, same order, same values: both texts read back and written out by one writer.
                assertThat(canonical(json)).as("attributes of event %d: %s", i, json)
                        .isEqualTo(canonical(JSON.writeValueAsString(want.attributes())));
            }
        });
        // Both paths must have been taken, and spans rejected, or the comparison proves little.
        assertThat(fast.get()).isGreaterThan(100);
        assertThat(slow.get()).isGreaterThan(20);
        assertThat(rejected.get()).isGreaterThan(20);
    }

    @Test
    void aBodyProtobufRefusesIsRefusedNamingTheByteOrAcceptedTheSameWhenOnlyFieldsVigilSkipsAreDamaged() {
        Props.forAll(400, g -> {
            byte[] body = request(g);
            int cuts = g.ints(1, 3);
            for (int c = 0; c < cuts && body.length > 0; c++) {
                int at = g.ints(0, body.length - 1);
                switch (g.ints(0, 2)) {
                    case 0 -> body[at] = (byte) g.anyInt();
                    case 1 -> body = java.util.Arrays.copyOf(body, at);
                    default -> body[at] ^= (byte) (1 << g.ints(0, 7));
                }
            }
            return body;
        }, body -> {
            SpanEvents.Result expected;
            try {
                expected = MAPPER.toEvents(OtlpProtobuf.decode(body, body.length), NOW_MICROS);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                expected = null;
            }
            SpanEvents.Result actual;
            try {
                actual = WIRE.read(body, body.length, NOW_MICROS).result();
            } catch (ProtoWire.Malformed e) {
                assertThat(e.getMessage()).matches(".*\\(at byte \\d+\\)");
                actual = null;
            }
            if (expected != null) {
                assertThat(actual).as("what protobuf reads, the bytes reader reads").isNotNull();
                assertThat(actual.rejections()).isEqualTo(expected.rejections());
                assertThat(actual.events().stream().map(WireSpansTest::withoutAttributes).toList())
                        .isEqualTo(expected.events().stream().map(WireSpansTest::withoutAttributes).toList());
            }
        });
    }

    @Test
    void aSpanWithMoreAttributesThanAnSdkSendsIsReadByProtobufsParserWithTheSameResult() throws Exception {
        Span.Builder many = span(1).toBuilder();
        for (int i = 0; i < 300; i++) {
            // "Aa" and "BB" share a hash: 300 distinct keys of nine of them, all with one hash (made to collide)
            StringBuilder key = new StringBuilder();
            for (int bit = 0; bit < 9; bit++) {
                key.append((i >> bit & 1) == 0 ? "Aa" : "BB");
            }
            many.addAttributes(kv(key.toString(), AnyValue.newBuilder().setIntValue(i).build()));
        }
        Span few = span(2).toBuilder().addAttributes(kv("http.method", AnyValue.newBuilder().setStringValue("GET").build()))
                .build();
        byte[] body = body(List.of(rs(resource("svc"), List.of(many.build(), few))));
        SpanEvents.Result expected = MAPPER.toEvents(OtlpProtobuf.decode(body, body.length), NOW_MICROS);
        SpanEvents.Result actual = WIRE.read(body, body.length, NOW_MICROS).result();
        assertThat(actual.events()).hasSize(2);
        assertThat(actual.events().get(0)).isEqualTo(expected.events().get(0));
        assertThat(actual.attributesJson().get(0)).as("the many-attribute span took the slow path").isNull();
        assertThat(canonical(actual.attributesJson().get(1)))
                .isEqualTo(canonical(JSON.writeValueAsString(expected.events().get(1).attributes())));
    }

    @Test
    void aSpanWhoseTextIsNotUtf8IsRefusedAloneNamingTheFieldTheProblemAndTheByte() throws Exception {
        Span bad = span(1).toBuilder().setName("BAD-NAME").build();
        byte[] body = body(List.of(rs(resource("svc"), List.of(span(0), bad, span(2)))));
        int at = indexOf(body, "BAD-NAME"); // its first byte becomes a continuation byte with no lead byte
        body[at] = (byte) 0x80;
        SpanEvents.Result r = WIRE.read(body, body.length, NOW_MICROS).result();
        assertThat(r.events()).hasSize(2);
        assertThat(r.rejections()).containsExactly(new Rejection(1, "name", Rejection.Code.INVALID_UTF8,
                "name is not UTF-8: a continuation byte with no lead byte (80) at byte " + at + " of the request"));
    }

    @Test
    void anAttributeNestedDeeperThan32ListsRefusesItsSpanNamingTheAttributeAndKeepsTheOthers() throws Exception {
        Span deep = span(1).toBuilder().addAttributes(kv("tree", nested(33))).build();
        Span deepest = span(2).toBuilder().addAttributes(kv("tree", nested(60))).build();
        Span allowed = span(3).toBuilder().addAttributes(kv("tree", nested(32))).build();
        byte[] body = body(List.of(rs(resource("svc"), List.of(span(0), deep, deepest, allowed))));
        SpanEvents.Result r = WIRE.read(body, body.length, NOW_MICROS).result();
        String reason = "nested deeper than 32 arrays and key-value lists; flatten it";
        assertThat(r.rejections()).containsExactly(new Rejection(1, "attributes.tree", Rejection.Code.TOO_DEEP, reason),
                new Rejection(2, "attributes.tree", Rejection.Code.TOO_DEEP, reason));
        assertThat(r.events()).hasSize(2);
        Object tree = r.events().get(1).attributes().get("tree");
        for (int level = 31; level >= 0; level--) {
            tree = level % 3 == 2 ? ((Map<?, ?>) tree).get("k") : ((List<?>) tree).get(0);
        }
        assertThat(tree).isEqualTo("leaf");
    }

    @Test
    void keyValueListsNest32DeepInProtobufAndInJsonAndDeeperRefusesTheSpanAloneInBoth() throws Exception {
        Span lists = span(1).toBuilder().addAttributes(kv("tree", nestedLists(32))).build();
        Span tooDeep = span(2).toBuilder().addAttributes(kv("tree", nestedLists(33))).build();
        byte[] body = body(List.of(rs(resource("svc"), List.of(span(0), lists, tooDeep))));
        SpanEvents.Result r = WIRE.read(body, body.length, NOW_MICROS).result();
        assertThat(r.events()).hasSize(2);
        assertThat(r.rejections()).extracting(Rejection::index, Rejection::field, Rejection::code)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2, "attributes.tree", Rejection.Code.TOO_DEEP));

        long end = NOW_MICROS * 1000 - 1_000_000;
        java.util.function.BiFunction<Integer, String, String> jsonSpan = (i, tree) -> "{\"traceId\":"
                + "\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b17" + i + "\",\"name\":\"GET /x\","
                + "\"kind\":2,\"startTimeUnixNano\":\"" + (end - 5_000_000) + "\",\"endTimeUnixNano\":\"" + end + "\""
                + (tree == null ? "" : ",\"attributes\":[{\"key\":\"tree\",\"value\":" + tree + "}]") + "}";
        String json = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
                + "{\"stringValue\":\"svc\"}}]},\"scopeSpans\":[{\"spans\":[" + jsonSpan.apply(0, null) + ","
                + jsonSpan.apply(1, jsonLists(32)) + "," + jsonSpan.apply(2, jsonLists(33)) + "]}]}]}";
        DecodedSpans decoded = OtlpJson.decode(json.getBytes(StandardCharsets.UTF_8), json.length());
        assertThat(decoded.spans()).hasSize(2);
        assertThat(decoded.rejections()).extracting(Rejection::index, Rejection::code)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2, Rejection.Code.TOO_DEEP));
    }

    private static String jsonLists(int levels) {
        String v = "{\"stringValue\":\"leaf\"}";
        for (int i = 0; i < levels; i++) {
            v = "{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":" + v + "}]}}";
        }
        return v;
    }

    private static AnyValue nestedLists(int levels) {
        AnyValue v = AnyValue.newBuilder().setStringValue("leaf").build();
        for (int i = 0; i < levels; i++) {
            v = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder().addValues(kv("k", v))).build();
        }
        return v;
    }

    /** A value inside {@code levels} arrays (and key-value lists, every third level). */
    private static AnyValue nested(int levels) {
        AnyValue v = AnyValue.newBuilder().setStringValue("leaf").build();
        for (int i = 0; i < levels; i++) {
            v = i % 3 == 2
                    ? AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder().addValues(kv("k", v))).build()
                    : AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(v)).build();
        }
        return v;
    }

    @Test
    void aResourceThatCannotBeReadRefusesItsSpansAndKeepsThoseOfOtherResources() throws Exception {
        Resource bad = Resource.newBuilder().addAttributes(kv("service.name", AnyValue.newBuilder()
                .setStringValue("BAD-SERVICE").build())).build();
        byte[] body = body(List.of(rs(bad, List.of(span(0), span(1))), rs(resource("svc"), List.of(span(2)))));
        body[indexOf(body, "BAD-SERVICE") + 10] = (byte) 0xC3; // a lead byte with nothing after it
        SpanEvents.Result r = WIRE.read(body, body.length, NOW_MICROS).result();
        assertThat(r.events()).extracting(Event::source).containsExactly("svc");
        assertThat(r.rejections()).extracting(Rejection::index, Rejection::field).containsExactly(
                org.assertj.core.groups.Tuple.tuple(0, "resource"), org.assertj.core.groups.Tuple.tuple(1, "resource"));
        assertThat(r.rejections().get(0).reason()).startsWith("the span's resource (at byte ")
                .endsWith(") cannot be read: a text field is not UTF-8");
    }

    @Test
    void aSpanAttributeCannotOverrideTheSpansOwnIdsStatusOrWhereItsResourceRan() throws Exception {
        Resource placed = Resource.newBuilder()
                .addAttributes(kv("service.name", AnyValue.newBuilder().setStringValue("svc").build()))
                .addAttributes(kv("host.name", AnyValue.newBuilder().setStringValue("h-real").build())).build();
        Span root = span(0).toBuilder()
                .addAttributes(kv("parentSpanId", AnyValue.newBuilder().setStringValue("0102030405060708").build()))
                .addAttributes(kv("statusMessage", AnyValue.newBuilder().setStringValue("not a status").build()))
                .addAttributes(kv("host.name", AnyValue.newBuilder().setStringValue("h-spoof").build()))
                .addAttributes(kv("http.route", AnyValue.newBuilder().setStringValue("/x").build())).build();
        byte[] body = body(List.of(rs(placed, List.of(root))));
        SpanEvents.Result r = WIRE.read(body, body.length, NOW_MICROS).result();
        Event e = r.events().get(0);
        String json = r.attributesJson().get(0) == null ? JSON.writeValueAsString(e.attributes()) : r.attributesJson().get(0);
        Map<String, Object> stored = JSON.readValue(json, new com.fasterxml.jackson.core.type.TypeReference<>() { });
        assertThat(stored).containsEntry("host.name", "h-real").containsEntry("http.route", "/x")
                .doesNotContainKeys("parentSpanId", "statusMessage");
        assertThat(SpanRef.carried(e.attributes())).containsEntry("host.name", "h-real").doesNotContainKey("parentSpanId");
    }

    private static int indexOf(byte[] a, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + b.length <= a.length; i++) {
            if (java.util.Arrays.equals(a, i, i + b.length, b, 0, b.length)) {
                return i;
            }
        }
        throw new AssertionError(text + " not found");
    }

    private static Event withoutAttributes(Event e) {
        return new Event(e.timeMicros(), e.source(), e.name(), e.kind(), e.correlation(), e.outcome(),
                e.durationMicros(), e.peer(), e.unit(), Map.of());
    }

    private static String canonical(String json) throws Exception {
        return JSON.writeValueAsString(JSON.readTree(json));
    }

    // --- random requests ---

    private static byte[] request(Gen g) {
        List<byte[]> resourceSpans = g.list(1, 4, () -> {
            Resource resource = g.chance(0.1) ? Resource.getDefaultInstance() : resource(g);
            List<Span> spans = g.list(0, 8, () -> span(g));
            return encode(resource, spans, g);
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] rs : resourceSpans) {
            writeField(out, 1, rs);
        }
        return out.toByteArray();
    }

    /** A ResourceSpans, its resource written before or after its spans, its spans sometimes in two scopes. */
    private static byte[] encode(Resource resource, List<Span> spans, Gen g) {
        ByteArrayOutputStream scopes = new ByteArrayOutputStream();
        int split = g.ints(0, spans.size());
        for (List<Span> part : List.of(spans.subList(0, split), spans.subList(split, spans.size()))) {
            ByteArrayOutputStream scope = new ByteArrayOutputStream();
            if (g.chance(0.3)) {
                writeField(scope, 1, io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder()
                        .setName("io.example").setVersion("1.0").build().toByteArray());
            }
            for (Span s : part) {
                byte[] bytes = s.toByteArray();
                if (g.chance(0.05)) {
                    // a status given twice: protobuf merges the two
                    bytes = concat(bytes, Span.newBuilder().setStatus(Status.newBuilder().setMessage("again")).build()
                            .toByteArray());
                }
                if (g.chance(0.05)) {
                    // an id given twice: the last counts
                    bytes = concat(bytes, Span.newBuilder().setSpanId(ByteString.copyFrom(ids(g, 8))).build().toByteArray());
                }
                writeField(scope, 2, bytes);
            }
            writeField(scopes, 2, scope.toByteArray());
        }
        ByteArrayOutputStream rs = new ByteArrayOutputStream();
        byte[] res = resource.toByteArray();
        boolean after = g.bool();
        if (!after) {
            writeField(rs, 1, res);
        }
        rs.writeBytes(scopes.toByteArray());
        if (after) {
            writeField(rs, 1, res);
        }
        if (g.chance(0.1)) {
            writeField(rs, 3, "https://opentelemetry.io/schemas/1.26.0".getBytes(StandardCharsets.UTF_8));
        }
        return rs.toByteArray();
    }

    private static byte[] body(List<byte[]> resourceSpans) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        resourceSpans.forEach(rs -> writeField(out, 1, rs));
        return out.toByteArray();
    }

    private static byte[] rs(Resource resource, List<Span> spans) {
        return ResourceSpans.newBuilder().setResource(resource)
                .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(spans)).build().toByteArray();
    }

    private static Resource resource(String service) {
        return Resource.newBuilder().addAttributes(kv("service.name", AnyValue.newBuilder().setStringValue(service).build()))
                .build();
    }

    private static Span span(int i) {
        long end = NOW_MICROS * 1000 - 1_000_000;
        return Span.newBuilder().setTraceId(ByteString.fromHex("5b8efff798038103d269b633813fc60c"))
                .setSpanId(ByteString.fromHex("eee19b7ec3c1b17" + i)).setName("GET /x").setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .setStartTimeUnixNano(end - 5_000_000).setEndTimeUnixNano(end).build();
    }

    private static Resource resource(Gen g) {
        Resource.Builder r = Resource.newBuilder();
        if (g.chance(0.9)) {
            r.addAttributes(kv("service.name", AnyValue.newBuilder().setStringValue(
                    g.oneOf("checkout", "stock", " ", "café-ü", "")).build()));
        }
        if (g.chance(0.3)) {
            r.addAttributes(kv("vigil.unit", AnyValue.newBuilder().setStringValue(g.oneOf("retail", "b2b")).build()));
        }
        for (String kept : List.of("host.name", "service.instance.id", "k8s.pod.name", "container.id",
                "deployment.environment", "service.version")) {
            if (g.chance(0.3)) {
                r.addAttributes(kv(kept, value(g, 0)));
            }
        }
        for (String key : List.of("order.id", "customer.id", "process.pid", "telemetry.sdk.name")) {
            if (g.chance(0.2)) {
                r.addAttributes(kv(key, value(g, 0)));
            }
        }
        return r.build();
    }

    private static Span span(Gen g) {
        long end = NOW_MICROS * 1000 + g.oneOf(-1_000_000_000L, -60_000_000_000L, -40L * 86_400_000_000_000L,
                3_600_000_000_000L, -5_000L);
        long start = end - g.oneOf(1_000L, 2_000_000L, 0L, -1_000L);
        Span.Builder s = Span.newBuilder()
                .setTraceId(ByteString.copyFrom(g.chance(0.05) ? new byte[16] : ids(g, g.chance(0.05) ? 15 : 16)))
                .setSpanId(ByteString.copyFrom(ids(g, g.chance(0.03) ? 0 : 8)))
                .setName(g.chance(0.05) ? "" : text(g))
                .setKindValue(g.oneOf(0, 1, 2, 3, 4, 5, 2, 3, 9))
                .setStartTimeUnixNano(g.chance(0.03) ? 0 : start)
                .setEndTimeUnixNano(g.chance(0.03) ? 0 : end);
        if (g.chance(0.7)) {
            s.setParentSpanId(ByteString.copyFrom(ids(g, g.chance(0.03) ? 4 : 8)));
        }
        int attributes = g.ints(0, 8);
        for (int i = 0; i < attributes; i++) {
            s.addAttributes(kv(g.chance(0.85) ? g.oneOf(KEYS) : text(g), value(g, 0)));
        }
        if (g.chance(0.5)) {
            Status.Builder status = Status.newBuilder().setCodeValue(g.oneOf(0, 1, 2, 2));
            if (g.chance(0.5)) {
                status.setMessage(text(g));
            }
            s.setStatus(status);
        }
        if (g.chance(0.2)) {
            s.setTraceState("vendor=1").setFlags(1).setDroppedAttributesCount(2)
                    .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(end)
                            .addAttributes(kv("exception.message", value(g, 0))))
                    .addLinks(Span.Link.newBuilder().setTraceId(ByteString.copyFrom(ids(g, 16)))
                            .setSpanId(ByteString.copyFrom(ids(g, 8))));
        }
        return s.build();
    }

    private static byte[] ids(Gen g, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) g.anyInt();
        }
        return b;
    }

    private static String text(Gen g) {
        return switch (g.ints(0, 5)) {
            case 0 -> g.oneOf("GET /orders/{id}", "A-17", "db.example", "   ", "quote\"back\\slash", "tab\there");
            case 1 -> g.string(0, 12, () -> g.ints(0x20, 0x7e));
            case 2 -> g.string(1, 6, () -> g.oneOf(0x1, 0x1f, 0x7f, 0xe9, 0x20ac, 0x1f600, 0x22, 0x5c, 0x41));
            case 3 -> "x".repeat(g.oneOf(255, 256, 257, 300));
            default -> g.string(0, 10, () -> g.ints(0x20, 0x2fff));
        };
    }

    private static AnyValue value(Gen g, int depth) {
        AnyValue.Builder v = AnyValue.newBuilder();
        switch (g.ints(0, depth > 1 ? 4 : 8)) {
            case 0, 1 -> v.setStringValue(text(g));
            case 2 -> v.setIntValue(g.oneOf(0L, -1L, 42L, Long.MAX_VALUE, Long.MIN_VALUE));
            case 3 -> v.setBoolValue(g.bool());
            case 4 -> v.setDoubleValue(g.oneOf(0.5, -0.0, 1e300, Double.NaN, Double.POSITIVE_INFINITY, 3.0));
            case 5 -> {
                // no value set: JSON null
            }
            case 6 -> v.setArrayValue(ArrayValue.newBuilder().addValues(value(g, depth + 1)).addValues(value(g, depth + 1)));
            case 7 -> v.setKvlistValue(KeyValueList.newBuilder().addValues(kv("inner", value(g, depth + 1))));
            default -> v.setBytesValue(ByteString.copyFrom(ids(g, 3)));
        }
        return v.build();
    }

    private static KeyValue kv(String key, AnyValue value) {
        return KeyValue.newBuilder().setKey(key).setValue(value).build();
    }

    private static void writeField(ByteArrayOutputStream out, int field, byte[] payload) {
        try {
            byte[] head = new byte[12];
            CodedOutputStream c = CodedOutputStream.newInstance(head);
            c.writeTag(field, 2);
            c.writeUInt32NoTag(payload.length);
            c.flush();
            out.write(head, 0, c.getTotalBytesWritten());
            out.write(payload);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
