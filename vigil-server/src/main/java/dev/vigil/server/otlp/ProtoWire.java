package dev.vigil.server.otlp;

import java.nio.charset.StandardCharsets;

/**
 * A cursor over protobuf's wire format in one request's bytes, making no object per field: the span reader
 * ({@link WireSpans}) takes what it needs as offsets and copies bytes from there. A message's fields are read up to
 * its {@link #limit}; {@link #enter} and {@link #leave} step into and out of an embedded one.
 *
 * <p>Errors name the byte where the body stopped making sense, counted from the body's start.
 */
final class ProtoWire {

    static final int VARINT = 0;
    static final int I64 = 1;
    static final int LEN = 2;
    static final int START_GROUP = 3;
    static final int END_GROUP = 4;
    static final int I32 = 5;

    /** Groups (a proto2 relic) nest; unknown ones are skipped, but not to any depth. */
    private static final int MAX_GROUP_DEPTH = 32;

    final byte[] buf;
    private final int origin;
    int pos;
    int limit;

    ProtoWire(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.origin = offset;
        this.pos = offset;
        this.limit = offset + length;
    }

    /** A body that is not a well-formed protobuf message, and where. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * A text field of a span that is not UTF-8: the framing around it is sound, so the span alone is refused.
     * {@code field} names it as a span's sender knows it.
     */
    static final class BadText extends Exception {
        final String field;

        BadText(String field, String message) {
            super(message, null, false, false);
            this.field = field;
        }
    }

    Malformed malformed(int at, String what) {
        return new Malformed(what + " (at byte " + (at - origin) + ")");
    }

    /** Where {@code at} is, counted from the body's start. */
    int offset(int at) {
        return at - origin;
    }

    boolean more() {
        return pos < limit;
    }

    /** The next field's tag (field number and wire type). */
    int tag() throws Malformed {
        int at = pos;
        long t = varint();
        if (t >>> 3 == 0 || t > 0xFFFF_FFFFL) {
            throw malformed(at, "a field number of " + (t >>> 3) + ", which protobuf does not allow");
        }
        return (int) t;
    }

    long varint() throws Malformed {
        int at = pos;
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw malformed(at, "the message ends inside a number");
            }
            byte b = buf[pos++];
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw malformed(at, "a number longer than 10 bytes");
    }

    long fixed64() throws Malformed {
        need(8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (buf[pos + i] & 0xffL);
        }
        pos += 8;
        return v;
    }

    private void need(int n) throws Malformed {
        if (limit - pos < n) {
            throw malformed(pos, "the message ends inside a field of " + n + " bytes");
        }
    }

    /** Reads a length-delimited field's length; returns where the field ends (the cursor is at its first byte). */
    int lengthEnd() throws Malformed {
        int at = pos;
        long len = varint();
        if (len > limit - pos) {
            throw malformed(at, "a field of " + len + " bytes where " + (limit - pos) + " are left in its message");
        }
        return pos + (int) len;
    }

    /**
     * Passes over a length-delimited field whose tag was just read; returns where its bytes are, packed as
     * {@code start << 32 | length} (read with {@link #at} and {@link #length}): no object per field.
     */
    long bytes() throws Malformed {
        int end = lengthEnd();
        long range = (long) pos << 32 | (end - pos);
        pos = end;
        return range;
    }

    static int at(long range) {
        return (int) (range >>> 32);
    }

    static int length(long range) {
        return (int) range;
    }

    /** Makes {@code end} the limit, for the fields of an embedded message; returns the limit to restore. */
    int enter(int end) {
        int outer = limit;
        limit = end;
        return outer;
    }

    /** Back out of an embedded message whose fields were all read. */
    void leave(int outer) {
        pos = limit;
        limit = outer;
    }

    /** Passes over a field whose tag was just read, as protobuf does with fields it does not know. */
    void skip(int tag) throws Malformed {
        skip(tag, 0);
    }

    private void skip(int tag, int depth) throws Malformed {
        switch (tag & 7) {
            case VARINT -> varint();
            case I64 -> {
                need(8);
                pos += 8;
            }
            case LEN -> pos = lengthEnd();
            case I32 -> {
                need(4);
                pos += 4;
            }
            case START_GROUP -> {
                if (depth >= MAX_GROUP_DEPTH) {
                    throw malformed(pos, "groups nested more than " + MAX_GROUP_DEPTH + " deep");
                }
                while (true) {
                    if (!more()) {
                        throw malformed(pos, "the message ends inside a group");
                    }
                    int inner = tag();
                    if ((inner & 7) == END_GROUP) {
                        if (inner >>> 3 != tag >>> 3) {
                            throw malformed(pos, "a group of field " + (tag >>> 3) + " ended as field " + (inner >>> 3));
                        }
                        return;
                    }
                    skip(inner, depth + 1);
                }
            }
            case END_GROUP -> throw malformed(pos, "the end of a group that did not start");
            default -> throw malformed(pos, "wire type " + (tag & 7) + ", which protobuf does not have");
        }
    }

    /** The text {@code field} between the cursor and {@code end}, checked to be UTF-8 as proto3 requires of strings. */
    String text(int end, String field) throws BadText {
        String s = new String(buf, pos, end - pos, StandardCharsets.UTF_8);
        // The decoder replaces bad bytes with U+FFFD; only a text holding one can be bad, so only those are checked.
        if (s.indexOf('\uFFFD') >= 0) {
            checkUtf8(pos, end, field);
        }
        pos = end;
        return s;
    }

    /** Refuses {@code buf[from, to)} unless it is well-formed UTF-8, naming the {@code field} that held it. */
    void checkUtf8(int from, int to, String field) throws BadText {
        int bad = dev.vigil.server.ingest.Utf8.firstInvalid(buf, from, to);
        if (bad >= 0) {
            throw new BadText(field, field + " is not UTF-8: " + dev.vigil.server.ingest.Utf8.problemAt(buf, bad, to)
                    + " (" + dev.vigil.server.ingest.Utf8.hexAt(buf, bad, to) + ") at byte " + (bad - origin)
                    + " of the request");
        }
    }
}
