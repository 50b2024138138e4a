package dev.vigil.server.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.vigil.event.EventDraft;
import dev.vigil.event.Event;
import dev.vigil.event.IngestPolicy;
import dev.vigil.event.Rejection;
import dev.vigil.event.Timestamps;
import dev.vigil.interpret.InterpretOperator;
import dev.vigil.interpret.Interpretation;
import dev.vigil.interpret.Interpreter;
import dev.vigil.interpret.SourceRules;
import java.io.IOException;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON wire format of events (docs/API.md) into canonical events, item by item.
 *
 * <p>Streaming, no intermediate tree: one pass over the bytes per item. A type error in one field rejects
 * that item and reading goes on with the next. Every item is parsed on its own: an NDJSON line, or an element
 * of a JSON array found by {@link ArraySplitter}. So an item that is not JSON, is nested too deep, has a name
 * that is too long or bytes that are not UTF-8 is rejected alone, with its index; only a body whose brackets
 * or strings do not close is refused as a whole, with the line and column.
 */
public final class EventDecoder {

    /** The two body formats. */
    public enum Format { NDJSON, JSON }

    /**
     * How items are read: in the canonical wire format (items without a source get {@code defaultSource}),
     * or through a source's interpretation rules.
     */
    public record Mode(SourceRules rules, String defaultSource) {
        public static final Mode CANONICAL = new Mode(null, null);

        public static Mode canonical(String defaultSource) {
            return new Mode(null, defaultSource);
        }

        public static Mode rules(SourceRules rules) {
            return new Mode(rules, rules.source());
        }
    }

    /** One decode's output and settings, so the per-item code has one argument rather than six. */
    private static final class Sink {
        final Mode mode;
        final long now;
        final List<Event> events = new ArrayList<>();
        final List<Rejection> rejections = new ArrayList<>();
        int uninterpreted;
        /** The source's interpret stage, with rules; null without. */
        final InterpretOperator interpreter;
        /** What the interpret stage made of the last object. */
        Interpretation interpreted;

        Sink(Mode mode, long now) {
            this.mode = mode;
            this.now = now;
            this.interpreter = mode.rules() == null ? null : new InterpretOperator(mode.rules());
        }
    }

    /** How deep an item may nest (the item itself is level 1); deeper items are rejected as too_deep. */
    static final int MAX_DEPTH = 32;
    /** The longest key name read; longer ones reject their item as too_long (before they cost memory). */
    static final int MAX_NAME_BYTES = 50_000;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                    .maxNameLength(MAX_NAME_BYTES).build())
            .build();

    private final IngestPolicy policy;

    public EventDecoder(IngestPolicy policy) {
        this.policy = policy;
    }

    /** Thrown when a JSON (not NDJSON) body is unreadable as a whole. */
    public static final class UnreadableBody extends Exception {
        private final BodyError error;

        UnreadableBody(BodyError error) {
            super(error.detail(), null, false, false);
            this.error = error;
        }

        public BodyError error() {
            return error;
        }
    }

    public DecodedBatch decode(byte[] body, int length, Format format, long nowMicros) throws UnreadableBody {
        return decode(body, length, format, nowMicros, Mode.CANONICAL);
    }

    public DecodedBatch decode(byte[] body, int length, Format format, long nowMicros, Mode mode) throws UnreadableBody {
        Sink sink = new Sink(mode, nowMicros);
        if (format == Format.NDJSON) {
            decodeLines(body, length, sink);
        } else {
            decodeDocument(body, length, sink);
        }
        return new DecodedBatch(sink.events, sink.rejections, sink.uninterpreted);
    }

    /** Where an item sits, for messages: an NDJSON line (columns), or part of a JSON body (lines and columns). */
    private record Framing(String what, String hint, int line, int column) {
        static final Framing LINE = new Framing("each line must be one JSON object", "put one object on each line", 0, 0);

        static Framing element(ArraySplitter.Element e) {
            return new Framing("each array element must be an event object", "separate array elements with ','",
                    e.line(), e.column());
        }

        static final Framing DOCUMENT = new Framing("the body must be one event object or an array of them",
                "send one object or one array, or use application/x-ndjson for one object per line", 1, 1);

        /** A position inside the item, as the sender sees it in what they sent. */
        String where(JsonLocation loc) {
            if (loc == null) {
                return "an unknown position";
            }
            if (line == 0) {
                return "column " + loc.getColumnNr();
            }
            int l = line + loc.getLineNr() - 1;
            int c = loc.getLineNr() == 1 ? column + loc.getColumnNr() - 1 : loc.getColumnNr();
            return "line " + l + ", column " + c;
        }
    }

    private void decodeLines(byte[] body, int length, Sink sink) {
        int line = 0;
        int start = 0;
        while (start < length) {
            int end = start;
            while (end < length && body[end] != '\n') {
                end++;
            }
            int stop = end > start && body[end - 1] == '\r' ? end - 1 : end;
            if (!isBlank(body, start, stop)) {
                decodeItem(body, start, stop - start, line, sink, Framing.LINE);
            }
            line++;
            start = end + 1;
        }
    }

    private void decodeItem(byte[] body, int off, int len, int index, Sink sink, Framing framing) {
        int bad = Utf8.firstInvalid(body, off, off + len);
        if (bad >= 0) {
            sink.rejections.add(new Rejection(index, fieldAt(body, off, len, bad), Rejection.Code.INVALID_UTF8,
                    "not valid UTF-8 at byte offset " + (bad - off) + " of the item (counted from 0): "
                            + Utf8.problemAt(body, bad, off + len)
                            + " (bytes " + Utf8.hexAt(body, bad, off + len) + "); send text as UTF-8"));
            return;
        }
        JsonParser p;
        try {
            p = FACTORY.createParser(body, off, len);
        } catch (IOException e) {
            sink.rejections.add(new Rejection(index, null, Rejection.Code.MALFORMED_JSON, e.getMessage()));
            return;
        }
        try (p) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                sink.rejections.add(new Rejection(index, null, Rejection.Code.NOT_AN_OBJECT,
                        framing.what() + ", found " + describe(t)));
                return;
            }
            Runnable item = readItem(p, index, sink);
            JsonToken after = p.nextToken();
            if (after != null) {
                sink.rejections.add(new Rejection(index, null, Rejection.Code.MALFORMED_JSON,
                        "unexpected " + describe(after) + " after the object at " + framing.where(p.currentTokenLocation())
                                + "; " + framing.hint()));
                return;
            }
            item.run();
        } catch (JsonProcessingException e) {
            sink.rejections.add(syntaxRejection(index, e, framing, p.getParsingContext()));
        } catch (IOException e) {
            sink.rejections.add(new Rejection(index, null, Rejection.Code.MALFORMED_JSON, e.getMessage()));
        }
    }

    /** The field (as a dotted path) whose name or value holds byte {@code bad}; null for the item's own braces. */
    private static String fieldAt(byte[] body, int off, int len, int bad) {
        byte[] clean = Utf8.sanitizedCopy(body, off, off + len);
        String field = null;
        try (JsonParser p = FACTORY.createParser(clean)) {
            while (p.nextToken() != null) {
                if (p.currentTokenLocation().getByteOffset() > bad - off) {
                    break;
                }
                field = path(p.getParsingContext());
            }
        } catch (IOException e) {
            // the path found so far is the best there is
        }
        return field;
    }

    /** A parsing context's position as a dotted path ("correlation.orderId"), or null at the item's top. */
    private static String path(com.fasterxml.jackson.core.JsonStreamContext ctx) {
        if (ctx == null) {
            return null;
        }
        String pointer = ctx.pathAsPointer().toString();
        if (pointer.isEmpty()) {
            return null;
        }
        return pointer.substring(1).replace('/', '.').replace("~1", "/").replace("~0", "~");
    }

    /**
     * Reads one object (the parser on its START_OBJECT) and returns what adds it to the sink, to run once
     * the caller knows the item is complete.
     */
    private Runnable readItem(JsonParser p, int index, Sink sink) throws IOException {
        if (sink.mode.rules() != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> object = (Map<String, Object>) readValue(p, JsonToken.START_OBJECT);
            return () -> interpret(object, index, sink);
        }
        EventDraft draft = new EventDraft();
        Rejection bad = readObject(p, index, draft);
        if (sink.mode.defaultSource() != null) {
            draft.sourceIfAbsent(sink.mode.defaultSource());
        }
        return () -> addChecked(draft, bad, index, sink);
    }

    private void interpret(Map<String, Object> object, int index, Sink sink) {
        sink.interpreter.onElement(new InterpretOperator.Received(object, index, sink.now), i -> sink.interpreted = i);
        switch (sink.interpreted) {
            case Interpretation.Drafted d -> addChecked(d.draft(), null, index, sink);
            case Interpretation.Refused r -> sink.rejections.add(r.rejection());
            case Interpretation.NoRule n -> {
                int before = sink.events.size();
                addChecked(Interpreter.uninterpreted(sink.mode.rules().source(), object, sink.now), null, index, sink);
                sink.uninterpreted += sink.events.size() - before;
            }
        }
    }

    private void decodeDocument(byte[] body, int length, Sink sink) throws UnreadableBody {
        // A byte order mark is allowed before the JSON (RFC 8259 says a parser may ignore it).
        int first = length >= 3 && (body[0] & 0xff) == 0xEF && (body[1] & 0xff) == 0xBB && (body[2] & 0xff) == 0xBF ? 3 : 0;
        while (first < length && (body[first] == ' ' || body[first] == '\t' || body[first] == '\r' || body[first] == '\n')) {
            first++;
        }
        if (first < length && body[first] == '{') {
            decodeItem(body, 0, length, 0, sink, Framing.DOCUMENT);
            return;
        }
        if (first == length) {
            throw new UnreadableBody(new BodyError(400, "empty_body", "the body holds only blanks: send at least one event", null));
        }
        if (body[first] != '[') {
            throw new UnreadableBody(new BodyError(400, "malformed_json", Framing.DOCUMENT.what() + ", found "
                    + describeStart(body, first, length), "line 1, column " + (first + 1)));
        }
        List<ArraySplitter.Element> elements;
        try {
            elements = ArraySplitter.split(body, first, length);
        } catch (ArraySplitter.Unsplittable e) {
            throw new UnreadableBody(new BodyError(400, "malformed_json", e.getMessage(), e.at));
        }
        for (int index = 0; index < elements.size(); index++) {
            ArraySplitter.Element e = elements.get(index);
            if (e.start() == e.end()) {
                sink.rejections.add(new Rejection(index, null, Rejection.Code.MALFORMED_JSON, "an empty array element at "
                        + "line " + e.line() + ", column " + e.column() + " (two commas in a row, or a comma before ']')"));
            } else {
                decodeItem(body, e.start(), e.end() - e.start(), index, sink, Framing.element(e));
            }
        }
    }

    /** What a JSON value starting at {@code i} is, from its first byte: for "found a number" without parsing. */
    private static String describeStart(byte[] b, int i, int length) {
        if (i >= length) {
            return "nothing";
        }
        return switch (b[i]) {
            case '"' -> "a string";
            case 't', 'f' -> "a boolean";
            case 'n' -> "null";
            case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> "a number";
            default -> "'" + (char) (b[i] & 0xff) + "'";
        };
    }

    private void addChecked(EventDraft draft, Rejection bad, int index, Sink sink) {
        if (bad != null) {
            sink.rejections.add(bad);
            return;
        }
        switch (draft.check(index, sink.now, policy)) {
            case EventDraft.Valid v -> sink.events.add(v.event());
            case EventDraft.Invalid i -> sink.rejections.add(i.rejection());
        }
    }

    /**
     * Reads one event object, the parser on its START_OBJECT, to its END_OBJECT. Returns the first
     * type error found (reading goes on to the end of the object so the next item can be read), or null.
     */
    private Rejection readObject(JsonParser p, int index, EventDraft d) throws IOException {
        Rejection first = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            Rejection r = switch (field) {
                case "time" -> readTime(p, v, index, d);
                case "source" -> readText(p, v, index, field, true, d::source);
                case "name" -> readText(p, v, index, field, true, d::name);
                case "kind" -> readText(p, v, index, field, false, d::kind);
                case "outcome" -> readText(p, v, index, field, false, d::outcome);
                case "peer" -> readText(p, v, index, field, false, d::peer);
                case "unit" -> readText(p, v, index, field, false, d::unit);
                case "durationMs" -> readDuration(p, v, index, d);
                case "correlation" -> readCorrelation(p, v, index, d);
                case "attributes" -> readAttributes(p, v, index, d);
                default -> {
                    d.attribute(field, readValue(p, v));
                    yield null;
                }
            };
            if (first == null) {
                first = r;
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new com.fasterxml.jackson.core.JsonParseException(p, "expected a field name or '}'");
        }
        return first;
    }

    private interface TextSink {
        void set(String value);
    }

    private static Rejection readText(JsonParser p, JsonToken v, int index, String field, boolean required, TextSink sink)
            throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            sink.set(p.getText());
            return null;
        }
        if (v == JsonToken.VALUE_NULL && !required) {
            return null;
        }
        p.skipChildren();
        return wrongType(index, field, "a string", v);
    }

    private static Rejection readTime(JsonParser p, JsonToken v, int index, EventDraft d) throws IOException {
        try {
            switch (v) {
                case VALUE_STRING -> d.timeMicros(Timestamps.parseRfc3339(p.getText()));
                case VALUE_NUMBER_INT -> d.timeMicros(Timestamps.fromEpochMillis(p.getLongValue()));
                case VALUE_NUMBER_FLOAT -> d.timeMicros(Timestamps.fromEpochMillis(p.getDoubleValue()));
                default -> {
                    p.skipChildren();
                    return wrongType(index, "time", "an RFC 3339 string or epoch milliseconds", v);
                }
            }
            return null;
        } catch (DateTimeException e) {
            return new Rejection(index, "time", Rejection.Code.INVALID_VALUE, e.getMessage());
        } catch (ArithmeticException | com.fasterxml.jackson.core.exc.InputCoercionException e) {
            return new Rejection(index, "time", Rejection.Code.INVALID_VALUE,
                    "epoch milliseconds out of range: " + p.getText());
        }
    }

    private static Rejection readDuration(JsonParser p, JsonToken v, int index, EventDraft d) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            p.skipChildren();
            return wrongType(index, "durationMs", "a number of milliseconds", v);
        }
        double ms = p.getDoubleValue();
        if (!(ms >= 0) || ms > 1e12) {
            return new Rejection(index, "durationMs", Rejection.Code.INVALID_VALUE,
                    "duration must be between 0 and 1e12 ms: " + p.getText());
        }
        d.durationMicros(Math.round(ms * 1000.0));
        return null;
    }

    private static Rejection readCorrelation(JsonParser p, JsonToken v, int index, EventDraft d) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.START_OBJECT) {
            p.skipChildren();
            return wrongType(index, "correlation", "an object of key names to string values", v);
        }
        Rejection first = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT) {
                // Numeric ids are common (orderId: 17); they correlate with the same id sent as a string.
                d.correlate(key, p.getText());
            } else {
                p.skipChildren();
                if (first == null) {
                    first = wrongType(index, "correlation." + key, "a string or an integer", t);
                }
            }
        }
        return first;
    }

    private static Rejection readAttributes(JsonParser p, JsonToken v, int index, EventDraft d) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.START_OBJECT) {
            p.skipChildren();
            return wrongType(index, "attributes", "an object", v);
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            d.attribute(key, readValue(p, p.nextToken()));
        }
        return null;
    }

    private static Object readValue(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getNumberValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                JsonToken e;
                while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                    list.add(readValue(p, e));
                }
                yield list;
            }
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    map.put(k, readValue(p, p.nextToken()));
                }
                yield map;
            }
            default -> throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected " + describe(t));
        };
    }

    private static Rejection wrongType(int index, String field, String expected, JsonToken found) {
        return new Rejection(index, field, Rejection.Code.WRONG_TYPE, "expected " + expected + ", found " + describe(found));
    }

    /** @param at where the parser was when it failed */
    private static Rejection syntaxRejection(int index, JsonProcessingException e, Framing framing,
                                             com.fasterxml.jackson.core.JsonStreamContext at) {
        String field = path(at);
        if (isUtf8Problem(e)) {
            return new Rejection(index, field, Rejection.Code.INVALID_UTF8,
                    "not valid UTF-8 at " + framing.where(e.getLocation()) + ": " + clean(e.getOriginalMessage()));
        }
        if (e instanceof StreamConstraintsException) {
            String m = clean(e.getOriginalMessage());
            if (m.contains("nesting depth")) {
                return new Rejection(index, field, Rejection.Code.TOO_DEEP, "nested deeper than " + MAX_DEPTH
                        + " levels (the item itself is level 1); flatten it");
            }
            if (m.contains("Name length")) {
                // The context is the object whose key is too long; its current name is still the key before.
                String holder = at == null ? null : path(at.getParent());
                return new Rejection(index, holder, Rejection.Code.TOO_LONG, "a key name longer than " + MAX_NAME_BYTES
                        + " bytes" + (holder == null ? " at the top of the item" : " in " + holder) + "; use short key names");
            }
            return new Rejection(index, field, Rejection.Code.TOO_LONG, m);
        }
        return new Rejection(index, null, Rejection.Code.MALFORMED_JSON,
                "not valid JSON at " + framing.where(e.getLocation()) + ": " + clean(e.getOriginalMessage()));
    }

    private static final java.util.regex.Pattern JACKSON_SOURCE =
            java.util.regex.Pattern.compile("\\[Source: [^;]*; line: (\\d+), column: (\\d+)]");

    private static final java.util.regex.Pattern JACKSON_HINTS = java.util.regex.Pattern.compile(
            ":? ?(?:enable|disable) `[^`]+` to allow|,? from `[^`]+`");

    /** Jackson's messages name a redacted source and its own settings; keep the position and the problem. */
    public static String clean(String message) {
        if (message == null) {
            return "";
        }
        String m = JACKSON_SOURCE.matcher(message).replaceAll("line $1, column $2");
        return JACKSON_HINTS.matcher(m).replaceAll("");
    }

    private static boolean isUtf8Problem(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        return m != null && (m.contains("UTF-8") || m.contains("UTF8") || m.contains("surrogate"));
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }

    private static long column(JsonLocation loc) {
        return loc == null ? -1 : loc.getColumnNr();
    }

    private static String at(JsonLocation loc) {
        return loc == null ? null : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    private static boolean isBlank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != ' ' && b[i] != '\t') {
                return false;
            }
        }
        return true;
    }
}
