package dev.vigil.exposition;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Strings of ASCII byte ranges, kept in a small direct-mapped table: a scrape repeats its metric names, label
 * names and most label values, so most lookups make no string. A colliding entry is replaced, so the table never
 * grows and a stream of distinct values costs one string each, as without it.
 */
final class StringCache {

    private final byte[][] keys;
    private final String[] strings;
    private final int mask;

    /** @param bits the table has 2^bits entries */
    StringCache(int bits) {
        keys = new byte[1 << bits][];
        strings = new String[1 << bits];
        mask = (1 << bits) - 1;
    }

    /** The string of {@code b[p, p+n)}, which must be ASCII. */
    String get(byte[] b, int p, int n) {
        int h = 1;
        for (int i = p; i < p + n; i++) {
            h = 31 * h + b[i];
        }
        h ^= h >>> 16;
        int slot = h & mask;
        byte[] k = keys[slot];
        if (k != null && Arrays.equals(k, 0, k.length, b, p, p + n)) {
            return strings[slot];
        }
        String s = new String(b, p, n, StandardCharsets.ISO_8859_1);
        keys[slot] = Arrays.copyOfRange(b, p, p + n);
        strings[slot] = s;
        return s;
    }
}
