package dev.vigil.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The values of one try of a property, every one drawn from the try's own seeded {@link RandomGenerator}, so
 * that the same seed gives the same input again. Tests build their inputs from these few methods.
 *
 * <p>Not everything is drawn uniformly, because uniform draws almost never hit the values where code breaks:
 * <ul>
 *   <li>The first try of a property takes the smallest of everything: every size and number at its minimum,
 *   {@code false}, the first of every choice, every nullable value null. The second try takes the largest:
 *   maximum sizes and numbers, {@code true}, the last choice, nothing null. The other tries are random.</li>
 *   <li>In random tries about one number or size in {@value #EDGE_ODDS} is an edge case: a bound, one inside a
 *   bound, or 0, 1 and -1 when they are in range (for sizes: the minimum, one more, the maximum).</li>
 *   <li>Of the other numbers, half are uniform over their range and half are drawn by magnitude: a bit length
 *   is chosen first, then a distance of that many bits from 0 (or from the bound nearest 0), so small values
 *   and values of every size come up as often as large ones.</li>
 *   <li>Sizes are mostly small, as in the usual property libraries: up to max(10, √tries) above the minimum
 *   nine times in ten, above that otherwise, the maximum itself one time in 50.</li>
 * </ul>
 * {@link #chance(double)} and {@link #random()} are plain random draws in every try.
 */
public final class Gen {

    enum Mode { SMALLEST, LARGEST, RANDOM }

    static final int EDGE_ODDS = 20;
    private static final int FILTER_ATTEMPTS = 10_000;

    private final RandomGenerator random;
    private final int tries;
    private Mode mode;

    Gen(RandomGenerator random, int tries, Mode mode) {
        this.random = random;
        this.tries = tries;
        this.mode = mode;
    }

    /** The try's random source, for draws the methods here do not cover. */
    public RandomGenerator random() {
        return random;
    }

    /** True with probability {@code p}, in every try (the first two tries included). */
    public boolean chance(double p) {
        return random.nextDouble() < p;
    }

    public boolean bool() {
        return switch (mode) {
            case SMALLEST -> false;
            case LARGEST -> true;
            case RANDOM -> random.nextBoolean();
        };
    }

    /** A long in [min, max], both included. */
    public long longs(long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException("min " + min + " > max " + max);
        }
        return switch (mode) {
            case SMALLEST -> min;
            case LARGEST -> max;
            case RANDOM -> random.nextInt(EDGE_ODDS) == 0 ? edge(min, max)
                    : random.nextBoolean() ? uniform(min, max) : byMagnitude(min, max);
        };
    }

    /** An int in [min, max], both included. */
    public int ints(int min, int max) {
        return (int) longs(min, max);
    }

    public long anyLong() {
        return longs(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    public int anyInt() {
        return ints(Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** A double in [min, max]: uniform, with the bounds themselves as edge cases. */
    public double doubles(double min, double max) {
        if (!(min <= max)) {
            throw new IllegalArgumentException("min " + min + " > max " + max);
        }
        return switch (mode) {
            case SMALLEST -> min;
            case LARGEST -> max;
            case RANDOM -> min == max ? min
                    : random.nextInt(EDGE_ODDS) == 0 ? (random.nextBoolean() ? min : max)
                    : random.nextDouble(min, max);
        };
    }

    /**
     * Any char of the Basic Multilingual Plane except surrogates, noncharacters (U+FDD0..U+FDEF, U+FFFE,
     * U+FFFF) and private-use characters (U+E000..U+F8FF), uniformly; U+0000, space and U+FFFD as edge cases.
     */
    public char anyChar() {
        switch (mode) {
            case SMALLEST:
                return '\u0000';
            case LARGEST:
                return '\uFFFD';
            default:
                if (random.nextInt(EDGE_ODDS) == 0) {
                    return oneOf('\u0000', ' ', '\uFFFD');
                }
                while (true) {
                    char c = (char) random.nextInt(0x10000);
                    if (!Character.isSurrogate(c) && !(c >= 0xFDD0 && c <= 0xFDEF) && c != 0xFFFE && c != 0xFFFF
                            && !(c >= 0xE000 && c <= 0xF8FF)) {
                        return c;
                    }
                }
        }
    }

    /** One of the options, each as likely (the first in the first try, the last in the second). */
    public <T> T oneOf(List<T> options) {
        return options.get(pick(options.size()));
    }

    @SafeVarargs
    public final <T> T oneOf(T... options) {
        return options[pick(options.length)];
    }

    private int pick(int options) {
        if (options == 0) {
            throw new IllegalArgumentException("no options");
        }
        return switch (mode) {
            case SMALLEST -> 0;
            case LARGEST -> options - 1;
            case RANDOM -> random.nextInt(options);
        };
    }

    public <E extends Enum<E>> E oneOf(Class<E> type) {
        return oneOf(List.of(type.getEnumConstants()));
    }

    /** Null with probability {@code pNull}, else a value (null in the first try, a value in the second). */
    public <T> T orNull(double pNull, Supplier<? extends T> value) {
        return switch (mode) {
            case SMALLEST -> null;
            case LARGEST -> value.get();
            case RANDOM -> chance(pNull) ? null : value.get();
        };
    }

    /** A size in [min, max]: mostly small (see the class comment). */
    public int size(int min, int max) {
        if (min < 0 || min > max) {
            throw new IllegalArgumentException("sizes " + min + ".." + max);
        }
        switch (mode) {
            case SMALLEST:
                return min;
            case LARGEST:
                return max;
            default:
                if (random.nextInt(EDGE_ODDS) == 0) {
                    int e = random.nextInt(3);
                    return e == 0 ? min : e == 1 ? Math.min(min + 1, max) : max;
                }
                int small = min + (int) Math.max(10, Math.round(Math.sqrt(tries)));
                if (small >= max) {
                    return (int) uniform(min, max);
                }
                double u = random.nextDouble();
                return u < 0.02 ? max : u < 0.12 ? (int) uniform(small + 1, max) : (int) uniform(min, small);
        }
    }

    /** A list of {@link #size(int, int)} elements (unmodifiable; elements may be null). */
    public <T> List<T> list(int min, int max, Supplier<? extends T> element) {
        int n = size(min, max);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(element.get());
        }
        return Collections.unmodifiableList(out);
    }

    /** A map of {@link #size(int, int)} entries with distinct keys, in the order they were drawn. */
    public <K, V> Map<K, V> map(int min, int max, Supplier<? extends K> key, Supplier<? extends V> value) {
        int n = size(min, max);
        Map<K, V> out = new LinkedHashMap<>();
        while (out.size() < n) {
            K k = suchThat(key, x -> !out.containsKey(x));
            out.put(k, value.get());
        }
        return out;
    }

    /**
     * A string of {@link #size(int, int)} chars made of the code points given (a supplementary code point counts
     * two chars and is drawn again when only one char is left).
     */
    public String string(int minLength, int maxLength, IntSupplier codePoint) {
        int length = size(minLength, maxLength);
        StringBuilder s = new StringBuilder(length);
        int misses = 0;
        while (s.length() < length) {
            int cp = codePoint.getAsInt();
            if (Character.charCount(cp) <= length - s.length()) {
                s.appendCodePoint(cp);
            } else if (++misses > FILTER_ATTEMPTS) {
                throw new IllegalStateException("the code points given never fit the one char left");
            }
        }
        return s.toString();
    }

    /**
     * The first value the generator makes that passes the filter. When the first one fails, the others are drawn
     * at random even in the first two tries (the smallest or largest value may never pass).
     */
    public <T> T suchThat(Supplier<? extends T> generator, Predicate<? super T> filter) {
        T value = generator.get();
        if (filter.test(value)) {
            return value;
        }
        Mode was = mode;
        mode = Mode.RANDOM;
        try {
            for (int i = 0; i < FILTER_ATTEMPTS; i++) {
                value = generator.get();
                if (filter.test(value)) {
                    return value;
                }
            }
        } finally {
            mode = was;
        }
        throw new IllegalStateException("no value passed the filter in " + FILTER_ATTEMPTS + " attempts");
    }

    private long uniform(long min, long max) {
        if (max != Long.MAX_VALUE) {
            return random.nextLong(min, max + 1);
        }
        return min == Long.MIN_VALUE ? random.nextLong() : random.nextLong(min - 1, max) + 1;
    }

    private long edge(long min, long max) {
        long[] candidates = {min, min + 1, -1, 0, 1, max - 1, max};
        while (true) {
            // min + 1 and max - 1 may overflow; such candidates fall outside the range and are drawn again.
            long v = candidates[random.nextInt(candidates.length)];
            if (v >= min && v <= max) {
                return v;
            }
        }
    }

    /** A side of the target (0, or the bound nearest it), a bit length, then a distance of at most that many bits. */
    private long byMagnitude(long min, long max) {
        long target = Math.max(min, Math.min(max, 0));
        // Distances to the bounds, unsigned: they fit in 64 bits even for the whole long range.
        long up = max - target;
        long down = target - min;
        int upBits = 64 - Long.numberOfLeadingZeros(up);
        int downBits = 64 - Long.numberOfLeadingZeros(down);
        if (upBits + downBits == 0) {
            return target;
        }
        boolean goUp = random.nextInt(upBits + downBits) < upBits;
        long span = goUp ? up : down;
        int bits = 1 + random.nextInt(goUp ? upBits : downBits);
        long most = bits == 64 ? -1L : (1L << bits) - 1;
        long distance = unsignedAtMost(Long.compareUnsigned(most, span) < 0 ? most : span);
        return goUp ? target + distance : target - distance;
    }

    /** Uniform in [0, bound], bound read as unsigned. */
    private long unsignedAtMost(long bound) {
        if (bound == -1L) {
            return random.nextLong();
        }
        if (bound >= 0 && bound < Long.MAX_VALUE) {
            return random.nextLong(bound + 1);
        }
        while (true) {
            long x = random.nextLong();
            if (Long.compareUnsigned(x, bound) <= 0) {
                return x;
            }
        }
    }
}
