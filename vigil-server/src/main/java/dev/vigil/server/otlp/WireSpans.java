package dev.vigil.server.otlp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.event.Event;
import dev.vigil.event.EventDraft;
import dev.vigil.event.Rejection;
import dev.vigil.link.SpanRef;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an OTLP {@code ExportTraceServiceRequest} in protobuf straight from the request's bytes into events, the
 * span ingest's hot path. It makes no protobuf object, attribute map or attribute text per span: each span's
 * attributes are written as the event's JSON from the bytes as they come (protobuf's strings are UTF-8 already),
 * and only what the event needs as values (names, ids, peer, business keys, placement) becomes a {@code String}.
 * The events it makes hold only the attributes the pipeline reads ({@link SpanRef#CARRIED}); the JSON goes to the
 * journal beside them.
 *
 * <p>A span off the common path (an attribute that is an array, a map or bytes; an attribute key given twice or
 * clashing with one the event sets itself; a field given twice where protobuf would merge) is read by protobuf's
 * own parser and mapped as {@link OtlpProtobuf} does, so both paths give the same events (checked by
 * {@code WireSpansTest} against that path on random requests). Resources, one per batch of spans, are always read
 * by protobuf's parser. Fields Vigil does not read (a span's events and links, its trace state, the scope) are
 * passed over, not checked.
 */
final class WireSpans {

    private static final HexFormat HEX = HexFormat.of();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final int REQUEST_RESOURCE_SPANS = 1 << 3 | ProtoWire.LEN;
    private static final int RESOURCE_SPANS_RESOURCE = 1 << 3 | ProtoWire.LEN;
    private static final int RESOURCE_SPANS_SCOPE_SPANS = 2 << 3 | ProtoWire.LEN;
    private static final int SCOPE_SPANS_SPANS = 2 << 3 | ProtoWire.LEN;
    private static final int SPAN_TRACE_ID = 1 << 3 | ProtoWire.LEN;
    private static final int SPAN_SPAN_ID = 2 << 3 | ProtoWire.LEN;
    private static final int SPAN_PARENT_SPAN_ID = 4 << 3 | ProtoWire.LEN;
    private static final int SPAN_NAME = 5 << 3 | ProtoWire.LEN;
    private static final int SPAN_KIND = 6 << 3 | ProtoWire.VARINT;
    private static final int SPAN_START = 7 << 3 | ProtoWire.I64;
    private static final int SPAN_END = 8 << 3 | ProtoWire.I64;
    private static final int SPAN_ATTRIBUTES = 9 << 3 | ProtoWire.LEN;
    private static final int SPAN_STATUS = 15 << 3 | ProtoWire.LEN;
    private static final int STATUS_MESSAGE = 2 << 3 | ProtoWire.LEN;
    private static final int STATUS_CODE = 3 << 3 | ProtoWire.VARINT;
    private static final int KEY_VALUE_KEY = 1 << 3 | ProtoWire.LEN;
    private static final int KEY_VALUE_VALUE = 2 << 3 | ProtoWire.LEN;
    private static final int ANY_STRING = 1 << 3 | ProtoWire.LEN;
    private static final int ANY_BOOL = 2 << 3 | ProtoWire.VARINT;
    private static final int ANY_INT = 3 << 3 | ProtoWire.VARINT;
    private static final int ANY_DOUBLE = 4 << 3 | ProtoWire.I64;
    private static final int ANY_ARRAY = 5 << 3 | ProtoWire.LEN;
    private static final int ANY_KVLIST = 6 << 3 | ProtoWire.LEN;
    private static final int ANY_BYTES = 7 << 3 | ProtoWire.LEN;

    /**
     * Spans with more attributes take the slow path: telling repeated keys apart is quadratic here (cheap for the
     * usual dozen), where protobuf's parser and a hash map stay linear even for keys made to collide. The SDKs'
     * default limit is 128 attributes a span.
     */
    private static final int MAX_FAST_ATTRIBUTES = 128;


    private final SpanEvents mapper;
    private final KnownKeys known;

    WireSpans(SpanEvents mapper) {
        this.mapper = mapper;
        this.known = new KnownKeys(mapper);
    }

    /**
     * The request's spans as events (with their attributes' JSON) and rejections.
     *
     * @throws ProtoWire.Malformed            when the body is no protobuf message of this shape (nothing is kept)
     */
    Read read(byte[] body, int length, long nowMicros) throws ProtoWire.Malformed {
        Reading r = new Reading(new ProtoWire(body, 0, length), nowMicros);
        r.request();
        r.rejections.sort(Comparator.comparingInt(Rejection::index));
        return new Read(new SpanEvents.Result(r.events, r.json, r.rejections), r.index);
    }

    /** What {@link #read} found: the events and rejections, and how many spans the request held. */
    record Read(SpanEvents.Result result, int total) {
    }

    /** A resource as the spans under it need it, read once per {@code ResourceSpans}. */
    private record ResourceView(SpanResource full, SpanResource carried, byte[] keptJson, long keptMask,
                                String[] keyValues) {
    }

    /** One request's reading: its cursor, what it made so far, and the buffers reused from span to span. */
    private final class Reading {
        final ProtoWire w;
        final long now;
        final List<Event> events = new ArrayList<>();
        final List<String> json = new ArrayList<>();
        final List<Rejection> rejections = new ArrayList<>(0);
        int index;
        // the current span's attributes: [start, end) of each KeyValue
        int[] attributeRanges = new int[64];
        // the current span's attribute keys: hash, start, length, for telling repeated keys
        int[] keyHash = new int[32];
        int[] keyStart = new int[32];
        int[] keyLength = new int[32];
        byte[] out = new byte[1024];
        int outPos;

        Reading(ProtoWire w, long now) {
            this.w = w;
            this.now = now;
        }

        void request() throws ProtoWire.Malformed {
            while (w.more()) {
                int tag = w.tag();
                if (tag == REQUEST_RESOURCE_SPANS) {
                    int outer = w.enter(w.lengthEnd());
                    resourceSpans();
                    w.leave(outer);
                } else {
                    w.skip(tag);
                }
            }
        }

        private void resourceSpans() throws ProtoWire.Malformed {
            // The resource may come after its spans: find it first (protobuf merges a message given twice).
            int start = w.pos;
            Resource.Builder resource = Resource.newBuilder();
            OtlpProtobuf.Why unreadable = null;
            int unreadableAt = 0;
            while (w.more()) {
                int tag = w.tag();
                if (tag == RESOURCE_SPANS_RESOURCE) {
                    int end = w.lengthEnd();
                    if (unreadable == null) {
                        try {
                            resource.mergeFrom(OtlpProtobuf.input(w.buf, w.pos, end - w.pos));
                        } catch (java.io.IOException e) {
                            // Its spans cannot be placed: each is refused; other resources' spans are kept.
                            unreadable = OtlpProtobuf.why(e);
                            unreadableAt = w.offset(w.pos);
                        }
                    }
                    w.pos = end;
                } else {
                    w.skip(tag);
                }
            }
            ResourceView view = unreadable != null ? null
                    : view(SpanResource.of(OtlpProtobuf.attributes(resource.getAttributesList())));
            w.pos = start;
            while (w.more()) {
                int tag = w.tag();
                if (tag == RESOURCE_SPANS_SCOPE_SPANS) {
                    int outer = w.enter(w.lengthEnd());
                    while (w.more()) {
                        int inner = w.tag();
                        if (inner == SCOPE_SPANS_SPANS) {
                            int spanEnd = w.lengthEnd();
                            int spanStart = w.pos;
                            int spanOuter = w.enter(spanEnd);
                            if (view == null) {
                                rejections.add(new Rejection(index, "resource", unreadable.code(), "the span's resource "
                                        + "(at byte " + unreadableAt + ") cannot be read: " + unreadable.text()));
                            } else {
                                try {
                                    span(view, spanStart, spanEnd);
                                } catch (ProtoWire.BadText e) {
                                    // The span's framing is sound, only a text in it is not: the span alone goes.
                                    rejections.add(new Rejection(index, e.field, Rejection.Code.INVALID_UTF8, e.getMessage()));
                                    w.limit = spanEnd;
                                }
                            }
                            w.leave(spanOuter);
                            index++;
                        } else {
                            w.skip(inner);
                        }
                    }
                    w.leave(outer);
                } else {
                    w.skip(tag);
                }
            }
        }

        private void span(ResourceView resource, int spanStart, int spanEnd)
                throws ProtoWire.Malformed, ProtoWire.BadText {
            long trace = 0; // ranges of the ids' bytes (ProtoWire.bytes); absent: empty
            long spanId = 0;
            long parent = 0;
            String name = "";
            int kind = 0;
            long startNanos = 0;
            long endNanos = 0;
            int statusCode = 0;
            String statusMessage = "";
            int attributes = 0;
            boolean statusSeen = false;
            boolean slow = false;
            while (w.more()) {
                int tag = w.tag();
                switch (tag) {
                    case SPAN_TRACE_ID -> trace = w.bytes();
                    case SPAN_SPAN_ID -> spanId = w.bytes();
                    case SPAN_PARENT_SPAN_ID -> parent = w.bytes();
                    case SPAN_NAME -> name = w.text(w.lengthEnd(), "name");
                    case SPAN_KIND -> kind = (int) w.varint();
                    case SPAN_START -> startNanos = w.fixed64();
                    case SPAN_END -> endNanos = w.fixed64();
                    case SPAN_ATTRIBUTES -> {
                        int end = w.lengthEnd();
                        if (attributes * 2 == attributeRanges.length) {
                            attributeRanges = Arrays.copyOf(attributeRanges, attributeRanges.length * 2);
                        }
                        attributeRanges[attributes * 2] = w.pos;
                        attributeRanges[attributes * 2 + 1] = end;
                        attributes++;
                        w.pos = end;
                    }
                    case SPAN_STATUS -> {
                        // Given twice, protobuf merges the two: rare enough to leave to its parser.
                        slow |= statusSeen;
                        statusSeen = true;
                        int outer = w.enter(w.lengthEnd());
                        while (w.more()) {
                            int inner = w.tag();
                            switch (inner) {
                                case STATUS_MESSAGE -> statusMessage = w.text(w.lengthEnd(), "status.message");
                                case STATUS_CODE -> statusCode = (int) w.varint();
                                default -> w.skip(inner);
                            }
                        }
                        w.leave(outer);
                    }
                    default -> w.skip(tag);
                }
            }
            byte[] b = w.buf;
            int traceAt = ProtoWire.at(trace);
            int traceLength = ProtoWire.length(trace);
            int spanAt = ProtoWire.at(spanId);
            int spanLength = ProtoWire.length(spanId);
            int parentAt = ProtoWire.at(parent);
            int parentLength = ProtoWire.length(parent);
            Rejection bad = OtlpProtobuf.checkIds(index, b, traceAt, traceLength, b, spanAt, spanLength, b, parentAt,
                    parentLength);
            if (bad != null) {
                rejections.add(bad);
                return;
            }
            int savedPos = w.pos;
            int savedLimit = w.limit;
            SpanFacts facts = slow || attributes > MAX_FAST_ATTRIBUTES ? null : attributes(resource, attributes, kind, spanAt, spanLength, parentAt,
                    parentLength, statusMessage);
            String tooDeep = facts == null ? tooDeep(attributes) : null;
            // attributes() may give up inside an attribute: back to the end of the span either way
            w.pos = savedPos;
            w.limit = savedLimit;
            if (tooDeep != null) {
                rejections.add(new Rejection(index, "attributes." + tooDeep, Rejection.Code.TOO_DEEP, "nested deeper than "
                        + OtlpProtobuf.MAX_DEPTH + " arrays and key-value lists; flatten it"));
                return;
            }
            EventDraft.Checked checked;
            String attributesJson;
            if (facts == null) {
                Span parsed;
                try {
                    parsed = Span.parseFrom(OtlpProtobuf.input(w.buf, spanStart, spanEnd - spanStart));
                } catch (java.io.IOException e) {
                    OtlpProtobuf.Why why = OtlpProtobuf.why(e);
                    rejections.add(new Rejection(index, null, why.code(), "the span cannot be read: " + why.text()));
                    return;
                }
                checked = mapper.check(OtlpProtobuf.span(index, resource.full(), parsed), now);
                attributesJson = null;
            } else {
                String traceId = HEX.formatHex(b, traceAt, traceAt + traceLength);
                String spanHex = HEX.formatHex(b, spanAt, spanAt + spanLength);
                String parentHex = parentLength == 0 ? null : HEX.formatHex(b, parentAt, parentAt + parentLength);
                OtlpSpan span = new OtlpSpan(index, resource.carried(), traceId, spanHex, parentHex, name, kind,
                        startNanos, endNanos, facts.carried(), statusCode, null);
                String[] keys = facts.keyValues();
                for (int i = 0; i < keys.length; i++) {
                    if (keys[i] == null) {
                        keys[i] = resource.keyValues()[i];
                    }
                }
                checked = mapper.event(span, facts.peer(), keys, now);
                attributesJson = facts.json();
            }
            switch (checked) {
                case EventDraft.Valid v -> {
                    events.add(v.event());
                    json.add(attributesJson);
                }
                case EventDraft.Invalid i -> rejections.add(i.rejection());
            }
        }

        /**
         * The key of the first of the span's attributes whose value nests arrays and key-value lists deeper than
         * {@link OtlpProtobuf#MAX_DEPTH}, or null: such a span is refused before protobuf's parser meets it.
         */
        private String tooDeep(int count) throws ProtoWire.Malformed {
            for (int a = 0; a < count; a++) {
                w.pos = attributeRanges[a * 2];
                int outer = w.enter(attributeRanges[a * 2 + 1]);
                long key = 0;
                boolean deep = false;
                while (w.more()) {
                    int tag = w.tag();
                    if (tag == KEY_VALUE_KEY) {
                        key = w.bytes();
                    } else if (tag == KEY_VALUE_VALUE) {
                        int end = w.lengthEnd();
                        int valueOuter = w.enter(end);
                        deep |= deeperThanAllowed(0);
                        w.limit = end;
                        w.leave(valueOuter);
                    } else {
                        w.skip(tag);
                    }
                }
                w.leave(outer);
                if (deep) {
                    return new String(w.buf, ProtoWire.at(key), ProtoWire.length(key), StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        /** Whether the AnyValue the cursor is in (inside {@code depth} arrays and lists) nests too deep. */
        private boolean deeperThanAllowed(int depth) throws ProtoWire.Malformed {
            while (w.more()) {
                int tag = w.tag();
                if (tag != ANY_ARRAY && tag != ANY_KVLIST) {
                    w.skip(tag);
                    continue;
                }
                if (depth + 1 > OtlpProtobuf.MAX_DEPTH) {
                    return true;
                }
                int listEnd = w.lengthEnd();
                int listOuter = w.enter(listEnd);
                while (w.more()) {
                    int item = w.tag();
                    if (item != (1 << 3 | ProtoWire.LEN)) {
                        w.skip(item);
                        continue;
                    }
                    int itemEnd = w.lengthEnd();
                    int itemOuter = w.enter(itemEnd);
                    boolean deep;
                    if (tag == ANY_ARRAY) {
                        deep = deeperThanAllowed(depth + 1); // an AnyValue
                    } else {
                        deep = false; // a KeyValue: its value is the AnyValue
                        while (w.more()) {
                            int field = w.tag();
                            if (field == KEY_VALUE_VALUE) {
                                int valueEnd = w.lengthEnd();
                                int valueOuter = w.enter(valueEnd);
                                if (deeperThanAllowed(depth + 1)) {
                                    return true; // the caller puts the cursor back
                                }
                                w.leave(valueOuter);
                            } else {
                                w.skip(field);
                            }
                        }
                    }
                    if (deep) {
                        return true;
                    }
                    w.leave(itemOuter);
                }
                w.leave(listOuter);
            }
            return false;
        }

        /**
         * Reads the span's attributes: writes the event's JSON (the resource's kept attributes, the span's, then
         * its ids, kind and status message) and finds its peer, business keys and placement. Null when the span
         * must take the slow path.
         */
        private SpanFacts attributes(ResourceView resource, int count, int kind, int spanAt, int spanLength,
                                     int parentAt, int parentLength, String statusMessage)
                throws ProtoWire.Malformed, ProtoWire.BadText {
            boolean calls = kind == OtlpSpan.KIND_CLIENT || kind == OtlpSpan.KIND_PRODUCER;
            int peerRank = Integer.MAX_VALUE;
            String peer = null;
            String[] keyValues = new String[known.keyCount];
            int[] keyRanks = known.keyCount == 0 ? null : new int[known.keyCount];
            if (keyRanks != null) {
                Arrays.fill(keyRanks, Integer.MAX_VALUE);
            }
            Map<String, Object> carried = null;
            outPos = 0;
            put((byte) '{');
            boolean first = resource.keptJson().length == 0;
            putBytes(resource.keptJson(), 0, resource.keptJson().length);
            for (int a = 0; a < count; a++) {
                w.pos = attributeRanges[a * 2];
                int outer = w.enter(attributeRanges[a * 2 + 1]);
                long key = -1; // absent: -1 (a KeyValue without a key has protobuf's empty one)
                long value = -1;
                while (w.more()) {
                    int tag = w.tag();
                    if (tag == KEY_VALUE_KEY && key < 0) {
                        key = w.bytes();
                    } else if (tag == KEY_VALUE_VALUE && value < 0) {
                        value = w.bytes();
                    } else if (tag == KEY_VALUE_KEY || tag == KEY_VALUE_VALUE) {
                        return null; // given twice: protobuf merges or takes the last; left to its parser
                    } else {
                        w.skip(tag);
                    }
                }
                w.leave(outer);
                int keyAt = key < 0 ? 0 : ProtoWire.at(key);
                int keyEnd = key < 0 ? 0 : keyAt + ProtoWire.length(key);
                int hash = checkedHash(keyAt, keyEnd);
                Known k = known.find(w.buf, keyAt, keyEnd - keyAt, hash);
                if (k != null && (k.reserved || (k.kept >= 0 && (resource.keptMask() & (1L << k.kept)) != 0))) {
                    return null;
                }
                if (repeated(a, hash, keyAt, keyEnd - keyAt)) {
                    return null;
                }
                if (!first) {
                    put((byte) ',');
                }
                first = false;
                putQuoted(keyAt, keyEnd);
                put((byte) ':');
                // The value: an AnyValue, one of its kinds set (none: null).
                int valueTag = 0;
                int textAt = 0;
                int textEnd = 0;
                long number = 0;
                if (value >= 0) {
                    w.pos = ProtoWire.at(value);
                    int valueOuter = w.enter(ProtoWire.at(value) + ProtoWire.length(value));
                    while (w.more()) {
                        int tag = w.tag();
                        switch (tag) {
                            case ANY_STRING -> {
                                long text = w.bytes();
                                textAt = ProtoWire.at(text);
                                textEnd = textAt + ProtoWire.length(text);
                            }
                            case ANY_BOOL, ANY_INT -> number = w.varint();
                            case ANY_DOUBLE -> number = w.fixed64();
                            case ANY_ARRAY, ANY_KVLIST, ANY_BYTES -> {
                                return null;
                            }
                            default -> {
                                w.skip(tag);
                                continue;
                            }
                        }
                        if (valueTag != 0) {
                            return null; // two kinds set: the last wins in protobuf; left to its parser
                        }
                        valueTag = tag;
                    }
                    w.leave(valueOuter);
                }
                String text = null;
                boolean isText = valueTag == ANY_STRING;
                switch (valueTag) {
                    case ANY_STRING -> {
                        checkText(textAt, textEnd, keyAt, keyEnd);
                        putQuoted(textAt, textEnd);
                        if (k != null && (k.peerRank >= 0 || k.carried || k.businessKeys.length > 0)) {
                            text = new String(w.buf, textAt, textEnd - textAt, StandardCharsets.UTF_8);
                        }
                    }
                    case ANY_BOOL -> putAscii(number != 0 ? "true" : "false");
                    case ANY_INT -> {
                        putAscii(Long.toString(number));
                        if (k != null && k.businessKeys.length > 0) {
                            text = Long.toString(number);
                        }
                    }
                    case ANY_DOUBLE -> {
                        double d = Double.longBitsToDouble(number);
                        if (Double.isFinite(d)) {
                            putAscii(Double.toString(d));
                        } else {
                            // JSON has no NaN or infinity: kept as text, and then it counts as text (a key, a peer)
                            text = String.valueOf(d);
                            isText = true;
                            put((byte) '"');
                            putAscii(text);
                            put((byte) '"');
                        }
                    }
                    default -> putAscii("null");
                }
                if (k == null || text == null) {
                    continue;
                }
                if (isText && calls && k.peerRank >= 0 && k.peerRank < peerRank && !text.isBlank()) {
                    peerRank = k.peerRank;
                    peer = text;
                }
                if (isText && k.carried) {
                    if (carried == null) {
                        carried = new LinkedHashMap<>(4);
                    }
                    carried.put(k.name, text);
                }
                for (int i = 0; i < k.businessKeys.length; i++) {
                    int business = k.businessKeys[i];
                    if (k.businessRanks[i] < keyRanks[business] && (!isText || !text.isBlank())) {
                        keyRanks[business] = k.businessRanks[i];
                        keyValues[business] = text;
                    }
                }
            }
            byte[] b = w.buf;
            putAscii(first ? "\"spanId\":\"" : ",\"spanId\":\"");
            putHex(b, spanAt, spanLength);
            if (parentLength > 0) {
                putAscii("\",\"parentSpanId\":\"");
                putHex(b, parentAt, parentLength);
            }
            putAscii("\",\"spanKind\":\"");
            putAscii(SpanEvents.kindName(kind));
            put((byte) '"');
            if (!statusMessage.isEmpty()) {
                putAscii(",\"statusMessage\":");
                byte[] m = statusMessage.getBytes(StandardCharsets.UTF_8);
                putQuoted(m, 0, m.length);
            }
            put((byte) '}');
            return new SpanFacts(new String(out, 0, outPos, StandardCharsets.UTF_8), peer, keyValues,
                    carried == null ? Map.of() : carried);
        }

        /** The key's hash (that of its {@code String} when ASCII); checks that it is UTF-8. */
        private int checkedHash(int at, int end) throws ProtoWire.BadText {
            byte[] b = w.buf;
            int h = 0;
            boolean ascii = true;
            for (int i = at; i < end; i++) {
                h = 31 * h + (b[i] & 0xff);
                ascii &= b[i] >= 0;
            }
            if (!ascii) {
                w.checkUtf8(at, end, "attributes (a key)");
            }
            return h;
        }

        private void checkText(int at, int end, int keyAt, int keyEnd) throws ProtoWire.BadText {
            byte[] b = w.buf;
            for (int i = at; i < end; i++) {
                if (b[i] < 0) {
                    w.checkUtf8(i, end, "attributes." + new String(b, keyAt, keyEnd - keyAt, StandardCharsets.UTF_8));
                    return;
                }
            }
        }

        /** Whether the span gave this key before (its {@code a}-th); records it otherwise. */
        private boolean repeated(int a, int hash, int at, int length) {
            if (a == keyHash.length) {
                keyHash = Arrays.copyOf(keyHash, a * 2);
                keyStart = Arrays.copyOf(keyStart, a * 2);
                keyLength = Arrays.copyOf(keyLength, a * 2);
            }
            for (int i = 0; i < a; i++) {
                if (keyHash[i] == hash && keyLength[i] == length
                        && Arrays.equals(w.buf, keyStart[i], keyStart[i] + length, w.buf, at, at + length)) {
                    return true;
                }
            }
            keyHash[a] = hash;
            keyStart[a] = at;
            keyLength[a] = length;
            return false;
        }

        private void room(int n) {
            if (outPos + n > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, outPos + n));
            }
        }

        private void put(byte c) {
            room(1);
            out[outPos++] = c;
        }

        private void putBytes(byte[] b, int at, int length) {
            room(length);
            System.arraycopy(b, at, out, outPos, length);
            outPos += length;
        }

        private void putAscii(String s) {
            int n = s.length();
            room(n);
            s.getBytes(0, n, out, outPos); // ASCII only: the deprecated method is the one without an encoder
            outPos += n;
        }

        private void putHex(byte[] b, int at, int length) {
            room(length * 2);
            for (int i = at; i < at + length; i++) {
                out[outPos++] = (byte) Character.forDigit((b[i] >> 4) & 0xf, 16);
                out[outPos++] = (byte) Character.forDigit(b[i] & 0xf, 16);
            }
        }

        private void putQuoted(int at, int end) {
            putQuoted(w.buf, at, end);
        }

        /** A JSON string of UTF-8 bytes: quotes, backslashes and control characters escaped, the rest as it is. */
        private void putQuoted(byte[] b, int at, int end) {
            room(end - at + 2);
            out[outPos++] = '"';
            for (int i = at; i < end; i++) {
                byte c = b[i];
                if (c == '"' || c == '\\') {
                    room(2 + end - i);
                    out[outPos++] = '\\';
                    out[outPos++] = c;
                } else if (c >= 0 && c < 0x20) {
                    room(6 + end - i);
                    out[outPos++] = '\\';
                    out[outPos++] = 'u';
                    out[outPos++] = '0';
                    out[outPos++] = '0';
                    out[outPos++] = (byte) Character.forDigit(c >> 4, 16);
                    out[outPos++] = (byte) Character.forDigit(c & 0xf, 16);
                } else {
                    out[outPos++] = c;
                }
            }
            room(1);
            out[outPos++] = '"';
        }
    }

    /** What a span's attributes gave: the event's JSON, its peer, its business keys, its placement. */
    private record SpanFacts(String json, String peer, String[] keyValues, Map<String, Object> carried) {
    }

    /** What the reader needs of a resource, worked out once for its spans. */
    private ResourceView view(SpanResource resource) {
        long keptMask = 0;
        StringBuilder kept = new StringBuilder();
        List<Map.Entry<String, Object>> carried = new ArrayList<>();
        for (Map.Entry<String, Object> e : resource.kept()) {
            keptMask |= 1L << SpanResource.KEPT.indexOf(e.getKey());
            if (!kept.isEmpty()) {
                kept.append(',');
            }
            try {
                kept.append(JSON.writeValueAsString(e.getKey())).append(':').append(JSON.writeValueAsString(e.getValue()));
            } catch (JsonProcessingException x) {
                throw new IllegalStateException("a resource attribute that is not JSON-like: " + x.getOriginalMessage(), x);
            }
            if (e.getValue() instanceof String && SpanRef.CARRIED.contains(e.getKey())) {
                carried.add(e);
            }
        }
        String[] names = mapper.keyNames();
        String[] keyValues = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            for (String a : mapper.keyAttributes().get(i)) {
                Object v = resource.attributes().get(a);
                if (v instanceof String text && !text.isBlank()) {
                    keyValues[i] = text;
                    break;
                }
                if (v instanceof Long n) {
                    keyValues[i] = n.toString();
                    break;
                }
            }
        }
        SpanResource forCarried = new SpanResource(Map.of(), resource.service(), resource.unit(), List.copyOf(carried));
        return new ResourceView(resource, forCarried, kept.toString().getBytes(StandardCharsets.UTF_8), keptMask,
                keyValues);
    }

    /** An attribute key the reader looks out for, and why. */
    private static final class Known {
        final String name;
        final byte[] bytes;
        final int hash;
        boolean reserved;
        int kept = -1;
        int peerRank = -1;
        boolean carried;
        int[] businessKeys = new int[0];
        int[] businessRanks = new int[0];

        Known(String name) {
            this.name = name;
            this.bytes = name.getBytes(StandardCharsets.UTF_8);
            int h = 0;
            for (byte c : bytes) {
                h = 31 * h + (c & 0xff);
            }
            this.hash = h;
        }

        void business(int key, int rank) {
            businessKeys = Arrays.copyOf(businessKeys, businessKeys.length + 1);
            businessRanks = Arrays.copyOf(businessRanks, businessRanks.length + 1);
            businessKeys[businessKeys.length - 1] = key;
            businessRanks[businessRanks.length - 1] = rank;
        }
    }

    /** The keys the reader looks out for, by the hash of their bytes (open addressing: no boxing per lookup). */
    private static final class KnownKeys {
        final int keyCount;
        private final Known[] table;

        KnownKeys(SpanEvents mapper) {
            Map<String, Known> byName = new LinkedHashMap<>();
            // a span attribute of one of the event's own names takes the slow path, which drops it
            SpanEvents.OWN_ATTRIBUTES.forEach(n -> byName.computeIfAbsent(n, Known::new).reserved = true);
            for (int i = 0; i < SpanResource.KEPT.size(); i++) {
                byName.computeIfAbsent(SpanResource.KEPT.get(i), Known::new).kept = i;
            }
            for (int i = 0; i < SpanEvents.PEER_PREFERENCE.size(); i++) {
                Known k = byName.computeIfAbsent(SpanEvents.PEER_PREFERENCE.get(i), Known::new);
                if (k.peerRank < 0) {
                    k.peerRank = i;
                }
            }
            for (String c : SpanRef.CARRIED) {
                if (!SpanEvents.OWN_ATTRIBUTES.contains(c)) {
                    byName.computeIfAbsent(c, Known::new).carried = true;
                }
            }
            keyCount = mapper.keyNames().length;
            for (int key = 0; key < keyCount; key++) {
                List<String> attributes = mapper.keyAttributes().get(key);
                for (int rank = 0; rank < attributes.size(); rank++) {
                    Known k = byName.computeIfAbsent(attributes.get(rank), Known::new);
                    final int business = key;
                    if (java.util.stream.IntStream.of(k.businessKeys).noneMatch(x -> x == business)) {
                        k.business(key, rank); // an attribute listed twice for one key counts at its first place
                    }
                }
            }
            table = new Known[Integer.highestOneBit(Math.max(16, byName.size() * 4)) * 2];
            for (Known k : byName.values()) {
                int slot = k.hash & (table.length - 1);
                while (table[slot] != null) {
                    slot = (slot + 1) & (table.length - 1);
                }
                table[slot] = k;
            }
        }

        Known find(byte[] b, int at, int length, int hash) {
            int slot = hash & (table.length - 1);
            Known k;
            while ((k = table[slot]) != null) {
                if (k.hash == hash && k.bytes.length == length && Arrays.equals(k.bytes, 0, length, b, at, at + length)) {
                    return k;
                }
                slot = (slot + 1) & (table.length - 1);
            }
            return null;
        }
    }
}
