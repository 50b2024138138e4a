package dev.vigil.exposition;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads the Prometheus text format (0.0.4) and OpenMetrics 1.0 text, as exporters write them, into samples.
 * Written by hand: no maintained Java parser of these formats exists (the client libraries only write them).
 *
 * <p>One pass over the bytes, no regular expressions, no line strings: names and most label values are looked up
 * in small caches (a scrape repeats them), plain decimal values are converted without a string. A line that
 * cannot be read is reported ({@link ExpositionSink#error}) and skipped; the lines around it are kept. Also read:
 * UTF-8 metric and label names in quotes (Prometheus 3: {@code {"http.server.duration", "le"="0.5"} 3}),
 * OpenMetrics timestamps in seconds, exemplars (skipped), {@code # UNIT} and the closing {@code # EOF}.
 *
 * <p>Not thread-safe: one parser per thread (it reuses its sample view and caches across calls).
 */
public final class ExpositionParser {

    /** The two text formats; they differ in timestamps, counters' names, exemplars and the closing line. */
    public enum Format {
        PROMETHEUS_TEXT, OPENMETRICS;

        /** The format a scrape's {@code Content-Type} names ({@code application/openmetrics-text} or else text). */
        public static Format ofContentType(String contentType) {
            return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/openmetrics-text")
                    ? OPENMETRICS : PROMETHEUS_TEXT;
        }
    }

    /** A problem at a byte offset; thrown within a line, caught at its end. Carries no stack. */
    private static final class Bad extends Exception {
        final int at;

        Bad(int at, String message) {
            super(message, null, false, false);
            this.at = at;
        }
    }

    private static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
            1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    private final Format format;
    private final Sample sample = new Sample();
    private final StringCache names = new StringCache(10);
    private final StringCache values = new StringCache(12);
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final StringBuilder text = new StringBuilder();

    private byte[] b;
    private int lineStart;
    private String family;
    private MetricType familyType;
    private boolean sawEof;
    /** Where the last {@link #quoted} string ended (one past its closing quote). */
    private int afterQuote;

    public ExpositionParser(Format format) {
        this.format = format;
    }

    /** Reads a whole exposition; returns how many samples it handed to {@code sink}. */
    public int parse(byte[] body, int offset, int length, ExpositionSink sink) {
        b = body;
        family = null;
        familyType = MetricType.UNTYPED;
        sawEof = false;
        int end = offset + length;
        int pos = offset;
        int line = 0;
        int samples = 0;
        while (pos < end) {
            line++;
            lineStart = pos;
            int eol = pos;
            while (eol < end && b[eol] != '\n') {
                eol++;
            }
            int lineEnd = eol > pos && b[eol - 1] == '\r' ? eol - 1 : eol;
            if (sawEof) {
                sink.error(new ParseError(line, 1, "text after \"# EOF\", which ends an OpenMetrics exposition"));
                break;
            }
            try {
                if (line(pos, lineEnd, sink)) {
                    sink.sample(sample);
                    samples++;
                }
            } catch (Bad e) {
                sink.error(new ParseError(line, e.at - lineStart + 1, e.getMessage()));
            }
            pos = eol + 1;
        }
        if (format == Format.OPENMETRICS && !sawEof) {
            sink.error(new ParseError(line + 1, 1, "no \"# EOF\" at the end: an OpenMetrics exposition ends with it, "
                    + "so this one may be cut short"));
        }
        b = null;
        return samples;
    }

    /** Reads one line; true when it was a sample (now in {@link #sample}). */
    private boolean line(int p, int e, ExpositionSink sink) throws Bad {
        p = blanks(p, e);
        if (p == e) {
            return false;
        }
        if (b[p] == '#') {
            comment(p + 1, e, sink);
            return false;
        }
        sampleLine(p, e);
        return true;
    }

    private void comment(int p, int e, ExpositionSink sink) throws Bad {
        p = blanks(p, e);
        int k = p;
        while (k < e && b[k] != ' ' && b[k] != '\t') {
            k++;
        }
        String keyword = ascii(p, k);
        switch (keyword) {
            case "HELP", "TYPE", "UNIT" -> {
            }
            case "EOF" -> {
                if (format == Format.OPENMETRICS) {
                    if (blanks(k, e) != e) {
                        throw new Bad(k, "\"# EOF\" takes nothing after it");
                    }
                    sawEof = true;
                }
                return;
            }
            default -> {
                return; // any other comment
            }
        }
        p = blanks(k, e);
        if (p == e) {
            throw new Bad(p, "# " + keyword + " needs a metric name");
        }
        String name;
        if (b[p] == '"') {
            name = quoted(p, e);
            p = afterQuote;
        } else {
            int n = identifier(p, e, true);
            if (n == p) {
                throw new Bad(p, "# " + keyword + " needs a metric name, not " + quote(p, e));
            }
            name = names.get(b, p, n - p);
            p = n;
        }
        int rest = p < e && (b[p] == ' ' || b[p] == '\t') ? p + 1 : p;
        switch (keyword) {
            case "TYPE" -> {
                int t = blanks(rest, e);
                int te = trimEnd(t, e);
                String typeName = ascii(t, te);
                MetricType type = MetricType.parse(typeName);
                boolean allowed = type != null && (format == Format.OPENMETRICS
                        || type == MetricType.COUNTER || type == MetricType.GAUGE || type == MetricType.HISTOGRAM
                        || type == MetricType.SUMMARY || typeName.equals("untyped"));
                if (!allowed) {
                    throw new Bad(t, "unknown metric type " + quote(t, te) + " for " + name + "; use one of "
                            + (format == Format.OPENMETRICS
                            ? "counter, gauge, histogram, gaugehistogram, summary, info, stateset, unknown"
                            : "counter, gauge, histogram, summary, untyped"));
                }
                family = name;
                familyType = type;
                sink.type(name, type);
            }
            case "HELP" -> sink.help(name, unescape(rest, e, false));
            default -> sink.unit(name, ascii(blanks(rest, e), trimEnd(rest, e)));
        }
    }

    private void sampleLine(int p, int e) throws Bad {
        Sample s = sample;
        s.labelCount = 0;
        s.name = null;
        if (b[p] != '{') {
            int n = identifier(p, e, true);
            if (n == p) {
                throw new Bad(p, "a sample starts with a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), not " + quote(p, e));
            }
            s.name = names.get(b, p, n - p);
            p = n;
        }
        int q = blanks(p, e);
        boolean braces = q < e && b[q] == '{';
        if (braces) {
            p = labels(q + 1, e, s);
        }
        if (s.name == null) {
            throw new Bad(p, "the sample has no metric name");
        }
        int v = blanks(p, e);
        if (v == e) {
            throw new Bad(v, "the sample " + s.name + " has no value");
        }
        if (v == p && !braces) {
            throw new Bad(p, "expected a space before the value, found " + quote(p, e));
        }
        int ve = token(v, e);
        s.value = value(v, ve);
        s.timestampMillis = Sample.NO_TIMESTAMP;
        int t = blanks(ve, e);
        if (t < e && b[t] != '#') {
            int te = token(t, e);
            s.timestampMillis = format == Format.OPENMETRICS ? secondsToMillis(t, te) : millis(t, te);
            t = blanks(te, e);
        }
        if (t < e) {
            if (format == Format.OPENMETRICS && b[t] == '#') {
                return; // an exemplar: not kept
            }
            throw new Bad(t, "unexpected text after the " + (s.timestampMillis == Sample.NO_TIMESTAMP ? "value" : "timestamp")
                    + ": " + quote(t, e));
        }
        resolveFamily(s);
    }

    /** Labels after '{' up to and including '}'; returns the offset after the '}'. */
    private int labels(int p, int e, Sample s) throws Bad {
        p = blanks(p, e);
        if (p < e && b[p] == '}') {
            return p + 1;
        }
        while (true) {
            p = blanks(p, e);
            if (p == e) {
                throw new Bad(p, "the labels are not closed: a '}' is missing");
            }
            String name;
            int at = p;
            if (b[p] == '"') {
                name = quoted(p, e);
                p = blanks(afterQuote, e);
                if (p < e && (b[p] == ',' || b[p] == '}') && s.name == null && s.labelCount == 0) {
                    s.name = name; // {"metric.name", ...}: a UTF-8 metric name in the braces
                    if (b[p] == '}') {
                        return p + 1;
                    }
                    p++;
                    continue;
                }
            } else {
                int n = identifier(p, e, false);
                if (n == p) {
                    throw new Bad(p, "expected a label name ([a-zA-Z_][a-zA-Z0-9_]*), found " + quote(p, e));
                }
                name = names.get(b, p, n - p);
                p = blanks(n, e);
            }
            if (p == e || b[p] != '=') {
                throw new Bad(p, "expected '=' after the label name " + name);
            }
            p = blanks(p + 1, e);
            if (p == e || b[p] != '"') {
                throw new Bad(p, "the value of label " + name + " must be in double quotes");
            }
            String value = quoted(p, e);
            for (int i = 0; i < s.labelCount; i++) {
                if (s.labels[2 * i].equals(name)) {
                    throw new Bad(at, "label " + name + " appears twice");
                }
            }
            if (2 * s.labelCount + 2 > s.labels.length) {
                s.labels = java.util.Arrays.copyOf(s.labels, s.labels.length * 2);
            }
            s.labels[2 * s.labelCount] = name;
            s.labels[2 * s.labelCount + 1] = value;
            s.labelCount++;
            p = blanks(afterQuote, e);
            if (p < e && b[p] == ',') {
                p = blanks(p + 1, e);
                if (p < e && b[p] == '}') {
                    return p + 1;
                }
            } else if (p < e && b[p] == '}') {
                return p + 1;
            } else {
                throw new Bad(p, "expected ',' or '}' after the value of label " + name + ", found " + quote(p, e));
            }
        }
    }

    /** A double-quoted string at {@code p} (escapes \\, \" and \n); {@link #afterQuote} gets the offset after it. */
    private String quoted(int p, int e) throws Bad {
        int start = p + 1;
        int q = start;
        boolean plain = true;
        while (q < e && b[q] != '"') {
            if (b[q] == '\\' || b[q] < 0) {
                plain = false;
                if (b[q] == '\\') {
                    q++;
                }
            }
            q++;
        }
        if (q >= e) {
            throw new Bad(p, "a quoted string is not closed: a '\"' is missing before the end of the line");
        }
        afterQuote = q + 1;
        return plain ? values.get(b, start, q - start) : unescape(start, q, true);
    }

    /** Text with backslash escapes, strict UTF-8; in a quoted string a stray escape is an error. */
    private String unescape(int p, int e, boolean strict) throws Bad {
        text.setLength(0);
        int run = p;
        for (int i = p; i < e; i++) {
            if (b[i] != '\\') {
                continue;
            }
            utf8(run, i);
            if (i + 1 >= e) {
                if (strict) {
                    throw new Bad(i, "a '\\' ends the string: escape it as \\\\");
                }
                text.append('\\');
                run = i + 1;
                break;
            }
            byte c = b[i + 1];
            switch (c) {
                case '\\' -> text.append('\\');
                case 'n' -> text.append('\n');
                case '"' -> {
                    if (!strict) {
                        text.append('\\');
                    }
                    text.append('"');
                }
                default -> {
                    if (strict) {
                        throw new Bad(i, "unknown escape \\" + (char) (c & 0xff) + ": label values know \\\\, \\\" and \\n");
                    }
                    text.append('\\').append((char) (c & 0xff));
                }
            }
            i++;
            run = i + 1;
        }
        utf8(run, e);
        return text.toString();
    }

    /** Appends bytes as strict UTF-8 to {@link #text}. */
    private void utf8(int p, int e) throws Bad {
        boolean ascii = true;
        for (int i = p; i < e; i++) {
            if (b[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            for (int i = p; i < e; i++) {
                text.append((char) b[i]);
            }
            return;
        }
        try {
            CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(b, p, e - p));
            text.append(chars);
        } catch (CharacterCodingException ex) {
            throw new Bad(p, "the text is not valid UTF-8");
        }
    }

    private void resolveFamily(Sample s) {
        String name = s.name;
        if (family != null && name.startsWith(family)) {
            if (name.length() == family.length()) {
                if (familyType != MetricType.INFO && familyType != MetricType.HISTOGRAM
                        && familyType != MetricType.GAUGE_HISTOGRAM
                        && (familyType != MetricType.COUNTER || format == Format.PROMETHEUS_TEXT)) {
                    s.family = family;
                    s.type = familyType;
                    return;
                }
            } else if (familyType.hasSuffix(name, family.length())) {
                s.family = family;
                s.type = familyType;
                return;
            }
        }
        s.family = name;
        s.type = MetricType.UNTYPED;
    }

    /** A sample's value: a decimal, or NaN and infinities as Go writes and reads them. */
    private double value(int p, int e) throws Bad {
        double fast = fastDecimal(p, e);
        if (!Double.isNaN(fast)) {
            return fast;
        }
        String s = ascii(p, e);
        switch (s.toLowerCase(Locale.ROOT)) {
            case "nan" -> {
                return Double.NaN;
            }
            case "inf", "+inf", "infinity", "+infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> {
            }
        }
        char last = s.charAt(s.length() - 1);
        if (last == 'd' || last == 'D' || last == 'f' || last == 'F' || s.indexOf('_') >= 0) {
            throw new Bad(p, "not a number: " + quote(p, e));
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException ex) {
            throw new Bad(p, "not a number: " + quote(p, e));
        }
    }

    /**
     * A plain decimal ({@code -12.5}, {@code 3e-7}) of at most 18 significant digits whose power of ten is within
     * 10^±22: mantissa and power are exact doubles, so one multiplication or division rounds correctly (Clinger's
     * fast path). NaN when the text is anything else.
     */
    private double fastDecimal(int p, int e) {
        int i = p;
        boolean negative = false;
        if (i < e && (b[i] == '-' || b[i] == '+')) {
            negative = b[i] == '-';
            i++;
        }
        long mantissa = 0;
        int significant = 0;
        int exponent = 0;
        boolean digits = false;
        while (i < e && b[i] >= '0' && b[i] <= '9') {
            if (mantissa != 0 || b[i] != '0') {
                significant++;
            }
            mantissa = mantissa * 10 + (b[i] - '0');
            digits = true;
            i++;
            if (significant > 18) {
                return Double.NaN;
            }
        }
        if (i < e && b[i] == '.') {
            i++;
            while (i < e && b[i] >= '0' && b[i] <= '9') {
                if (mantissa != 0 || b[i] != '0') {
                    significant++;
                }
                mantissa = mantissa * 10 + (b[i] - '0');
                exponent--;
                digits = true;
                i++;
                if (significant > 18) {
                    return Double.NaN;
                }
            }
        }
        if (!digits) {
            return Double.NaN;
        }
        if (i < e && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean negativeExponent = false;
            if (i < e && (b[i] == '-' || b[i] == '+')) {
                negativeExponent = b[i] == '-';
                i++;
            }
            int x = 0;
            boolean any = false;
            while (i < e && b[i] >= '0' && b[i] <= '9' && x < 1000) {
                x = x * 10 + (b[i] - '0');
                any = true;
                i++;
            }
            if (!any) {
                return Double.NaN;
            }
            exponent += negativeExponent ? -x : x;
        }
        if (i != e || mantissa > (1L << 53) || exponent < -22 || exponent > 22) {
            return Double.NaN;
        }
        double v = exponent >= 0 ? mantissa * POW10[exponent] : mantissa / POW10[-exponent];
        return negative ? -v : v;
    }

    private long millis(int p, int e) throws Bad {
        int i = p;
        boolean negative = false;
        if (i < e && b[i] == '-') {
            negative = true;
            i++;
        }
        if (i == e) {
            throw new Bad(p, "the timestamp must be milliseconds since the epoch, not " + quote(p, e));
        }
        long v = 0;
        for (; i < e; i++) {
            if (b[i] < '0' || b[i] > '9') {
                throw new Bad(p, "the timestamp must be milliseconds since the epoch (an integer), not " + quote(p, e));
            }
            if (v > (Long.MAX_VALUE - 9) / 10) {
                throw new Bad(p, "the timestamp is too large: " + quote(p, e));
            }
            v = v * 10 + (b[i] - '0');
        }
        return negative ? -v : v;
    }

    private long secondsToMillis(int p, int e) throws Bad {
        double seconds = value(p, e);
        if (!Double.isFinite(seconds) || Math.abs(seconds) > 9.2e15) {
            throw new Bad(p, "the timestamp must be seconds since the epoch, not " + quote(p, e));
        }
        return Math.round(seconds * 1000);
    }

    /** The end of an identifier at {@code p}: metric names may hold ':', label names may not. */
    private int identifier(int p, int e, boolean colon) {
        int i = p;
        while (i < e) {
            byte c = b[i];
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':')
                    || (i > p && c >= '0' && c <= '9');
            if (!ok) {
                break;
            }
            i++;
        }
        return i;
    }

    private int blanks(int p, int e) {
        while (p < e && (b[p] == ' ' || b[p] == '\t')) {
            p++;
        }
        return p;
    }

    private int token(int p, int e) {
        while (p < e && b[p] != ' ' && b[p] != '\t') {
            p++;
        }
        return p;
    }

    private int trimEnd(int p, int e) {
        while (e > p && (b[e - 1] == ' ' || b[e - 1] == '\t')) {
            e--;
        }
        return e;
    }

    private String ascii(int p, int e) {
        return new String(b, p, e - p, StandardCharsets.ISO_8859_1);
    }

    /** Up to 40 bytes of the line from {@code p}, quoted, for a message. */
    private String quote(int p, int e) {
        if (p >= e) {
            return "the end of the line";
        }
        int n = Math.min(e - p, 40);
        String s = new String(b, p, n, StandardCharsets.UTF_8);
        return "\"" + s + (e - p > n ? "..." : "") + "\"";
    }
}
