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
 * that item and reading goes on with the next. In NDJSON each line stands alone, so a line that is not JSON
 * rejects that line only; in a JSON array a syntax error leaves no way to find the next item, so the whole
 * body is refused with the line and column of the error.
 */
public final class EventDecoder {

    /** The two body formats. */
    public enum Format { NDJSON, JSON }

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build())
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
        List<Event> events = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        if (format == Format.NDJSON) {
            decodeLines(body, length, nowMicros, events, rejections);
        } else {
            decodeDocument(body, length, nowMicros, events, rejections);
        }
        return new DecodedBatch(events, rejections);
    }

    private void decodeLines(byte[] body, int length, long now, List<Event> events, List<Rejection> rejections) {
        int line = 0;
        int start = 0;
        while (start < length) {
            int end = start;
            while (end < length && body[end] != '\n') {
                end++;
            }
            int stop = end > start && body[end - 1] == '\r' ? end - 1 : end;
            if (!isBlank(body, start, stop)) {
                decodeLine(body, start, stop - start, line, now, events, rejections);
            }
            line++;
            start = end + 1;
        }
    }

    private void decodeLine(byte[] body, int off, int len, int index, long now, List<Event> events,
                            List<Rejection> rejections) {
        try (JsonParser p = FACTORY.createParser(body, off, len)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                rejections.add(new Rejection(index, null, Rejection.Code.NOT_AN_OBJECT,
                        "each line must be one JSON object, found " + describe(t)));
                return;
            }
            EventDraft draft = new EventDraft();
            Rejection bad = readObject(p, index, draft);
            JsonToken after = p.nextToken();
            if (after != null) {
                rejections.add(new Rejection(index, null, Rejection.Code.MALFORMED_JSON,
                        "unexpected " + describe(after) + " after the object at column " + column(p.currentLocation())
                                + "; put one object on each line"));
                return;
            }
            addChecked(draft, bad, index, now, events, rejections);
        } catch (JsonProcessingException e) {
            rejections.add(syntaxRejection(index, e));
        } catch (IOException e) {
            rejections.add(new Rejection(index, null, Rejection.Code.MALFORMED_JSON, e.getMessage()));
        }
    }

    private void decodeDocument(byte[] body, int length, long now, List<Event> events, List<Rejection> rejections)
            throws UnreadableBody {
        try (JsonParser p = FACTORY.createParser(body, 0, length)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                EventDraft draft = new EventDraft();
                Rejection bad = readObject(p, 0, draft);
                expectEnd(p);
                addChecked(draft, bad, 0, now, events, rejections);
            } else if (t == JsonToken.START_ARRAY) {
                int index = 0;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == null) {
                        throw unreadable("the array is not closed: the body ends before ']'", p.currentLocation());
                    }
                    if (t == JsonToken.START_OBJECT) {
                        EventDraft draft = new EventDraft();
                        Rejection bad = readObject(p, index, draft);
                        addChecked(draft, bad, index, now, events, rejections);
                    } else {
                        p.skipChildren();
                        rejections.add(new Rejection(index, null, Rejection.Code.NOT_AN_OBJECT,
                                "each array element must be an event object, found " + describe(t)));
                    }
                    index++;
                }
                expectEnd(p);
            } else {
                throw unreadable("the body must be one event object or an array of them, found " + describe(t),
                        p.currentLocation());
            }
        } catch (JsonProcessingException e) {
            boolean utf8 = isUtf8Problem(e);
            String detail = e instanceof com.fasterxml.jackson.core.io.JsonEOFException
                    ? "the body ends before the JSON is complete (an array or object is not closed): "
                    : utf8 ? "the body is not valid UTF-8: " : "the body is not valid JSON: ";
            throw new UnreadableBody(new BodyError(400, utf8 ? "invalid_utf8" : "malformed_json",
                    detail + clean(e.getOriginalMessage()), at(e.getLocation())));
        } catch (IOException e) {
            throw new UnreadableBody(new BodyError(400, "malformed_json", e.getMessage(), null));
        }
    }

    private static void expectEnd(JsonParser p) throws IOException, UnreadableBody {
        JsonToken extra = p.nextToken();
        if (extra != null) {
            throw unreadable("unexpected " + describe(extra) + " after the end of the JSON value; send one object "
                    + "or one array, or use application/x-ndjson for one object per line", p.currentTokenLocation());
        }
    }

    private static UnreadableBody unreadable(String detail, JsonLocation loc) {
        return new UnreadableBody(new BodyError(400, "malformed_json", detail, at(loc)));
    }

    private void addChecked(EventDraft draft, Rejection bad, int index, long now, List<Event> events,
                            List<Rejection> rejections) {
        if (bad != null) {
            rejections.add(bad);
            return;
        }
        switch (draft.check(index, now, policy)) {
            case EventDraft.Valid v -> events.add(v.event());
            case EventDraft.Invalid i -> rejections.add(i.rejection());
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

    private static Rejection syntaxRejection(int index, JsonProcessingException e) {
        if (isUtf8Problem(e)) {
            return new Rejection(index, null, Rejection.Code.INVALID_UTF8,
                    "not valid UTF-8 at column " + column(e.getLocation()) + ": " + clean(e.getOriginalMessage()));
        }
        if (e instanceof StreamConstraintsException) {
            return new Rejection(index, null, Rejection.Code.MALFORMED_JSON, clean(e.getOriginalMessage()));
        }
        return new Rejection(index, null, Rejection.Code.MALFORMED_JSON,
                "not valid JSON at column " + column(e.getLocation()) + ": " + clean(e.getOriginalMessage()));
    }

    private static final java.util.regex.Pattern JACKSON_SOURCE =
            java.util.regex.Pattern.compile("\\[Source: [^;]*; line: (\\d+), column: (\\d+)]");

    private static final java.util.regex.Pattern JACKSON_HINTS = java.util.regex.Pattern.compile(
            ":? ?(?:enable|disable) `[^`]+` to allow|,? from `[^`]+`");

    /** Jackson's messages name a redacted source and its own settings; keep the position and the problem. */
    static String clean(String message) {
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
