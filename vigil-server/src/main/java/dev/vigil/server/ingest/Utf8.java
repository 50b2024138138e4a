package dev.vigil.server.ingest;

/**
 * Strict UTF-8 checking (Unicode 15, table 3-7): Jackson decodes overlong forms, surrogates and code points
 * above U+10FFFF without complaint, and stored them altered (as NUL, DEL or "??"). An item holding any of them
 * is refused instead, naming what is wrong. The OTLP span reader checks protobuf's text fields with it too.
 */
public final class Utf8 {

    private Utf8() {
    }

    /** The first ill-formed byte of {@code b[from, to)}, or -1 when all of it is well-formed UTF-8. */
    public static int firstInvalid(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            if (b[i] >= 0) {
                i++;
                continue;
            }
            int n = sequenceLength(b, i, to);
            if (n < 0) {
                return i;
            }
            i += n;
        }
        return -1;
    }

    /** What is wrong with the sequence starting at {@code i}, in words (for an ill-formed one). */
    public static String problemAt(byte[] b, int i, int to) {
        int lead = b[i] & 0xff;
        int second = i + 1 < to ? b[i + 1] & 0xff : -1;
        if (lead >= 0x80 && lead <= 0xBF) {
            return "a continuation byte with no lead byte";
        }
        if (lead == 0xC0 || lead == 0xC1 || (lead == 0xE0 && second >= 0x80 && second <= 0x9F)
                || (lead == 0xF0 && second >= 0x80 && second <= 0x8F)) {
            return "an overlong form";
        }
        if (lead == 0xED && second >= 0xA0 && second <= 0xBF) {
            return "a surrogate (U+D800..U+DFFF)";
        }
        if ((lead == 0xF4 && second >= 0x90) || (lead >= 0xF5 && lead <= 0xF7)) {
            return "a code point above U+10FFFF";
        }
        if (lead >= 0xF8) {
            return "a byte that never occurs in UTF-8";
        }
        return "an incomplete or broken sequence";
    }

    /** The bytes from {@code i}, at most four, as hex: what the sender can look for. */
    public static String hexAt(byte[] b, int i, int to) {
        StringBuilder s = new StringBuilder();
        for (int k = i; k < Math.min(to, i + 4); k++) {
            if (k > i && (b[k] & 0xC0) != 0x80) {
                break;
            }
            s.append(s.isEmpty() ? "" : " ").append(String.format("%02X", b[k] & 0xff));
        }
        return s.toString();
    }

    /** A copy of {@code b[from, to)} with every ill-formed byte replaced by '?': same offsets, parseable. */
    static byte[] sanitizedCopy(byte[] b, int from, int to) {
        byte[] out = java.util.Arrays.copyOfRange(b, from, to);
        int i = 0;
        while (i < out.length) {
            if (out[i] >= 0) {
                i++;
                continue;
            }
            int n = sequenceLength(out, i, out.length);
            if (n < 0) {
                out[i] = '?';
                i++;
            } else {
                i += n;
            }
        }
        return out;
    }

    /** The length of the well-formed multi-byte sequence at {@code i}, or -1. */
    private static int sequenceLength(byte[] b, int i, int to) {
        int lead = b[i] & 0xff;
        int n;
        int lo = 0x80;
        int hi = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            n = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            n = 3;
            if (lead == 0xE0) {
                lo = 0xA0;
            } else if (lead == 0xED) {
                hi = 0x9F;
            }
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            n = 4;
            if (lead == 0xF0) {
                lo = 0x90;
            } else if (lead == 0xF4) {
                hi = 0x8F;
            }
        } else {
            return -1;
        }
        if (i + n > to) {
            return -1;
        }
        int second = b[i + 1] & 0xff;
        if (second < lo || second > hi) {
            return -1;
        }
        for (int k = 2; k < n; k++) {
            if ((b[i + k] & 0xC0) != 0x80) {
                return -1;
            }
        }
        return n;
    }
}
