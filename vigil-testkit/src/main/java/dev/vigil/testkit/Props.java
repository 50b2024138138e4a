package dev.vigil.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Runs a property: a number of tries, each on an input a generator makes from its own {@link Gen}. The first
 * failure ends the run with an {@link AssertionError} that names the seed, the try and the input, and gives the
 * command that replays it. Call it from a plain JUnit {@code @Test}, one per property:
 *
 * <pre>{@code
 * @Test
 * void errorsAndCountsAreExact() {
 *     Props.forAll(1000, g -> g.list(0, 500, g::bool), failed -> { ... assertions ... });
 * }
 * }</pre>
 *
 * <p>Seeds: a run has one base seed, random unless the system property {@value #SEED_PROPERTY} gives it
 * ({@code mvn ... -Dvigil.seed=...} reaches the test JVM). Each property draws from a
 * {@link SplittableRandom} seeded from the base seed and the property's name (its class and method), one split per
 * try, so a property gets the same inputs from the same seed whichever other tests run before it, and a
 * failure found in a full run replays when that one test is run alone.
 */
public final class Props {

    public static final String SEED_PROPERTY = "vigil.seed";

    private static final long BASE_SEED = baseSeedFrom(System.getProperty(SEED_PROPERTY));

    /** A property: it throws (an assertion, or anything else) when the input falsifies it. */
    @FunctionalInterface
    public interface Property<T> {
        void check(T input) throws Exception;
    }

    private Props() {
    }

    /** The base seed of this run. */
    public static long seed() {
        return BASE_SEED;
    }

    /** Runs {@code property} on {@code tries} inputs from {@code generator}, named after the calling method. */
    public static <T> void forAll(int tries, Function<Gen, ? extends T> generator, Property<? super T> property) {
        StackWalker.StackFrame caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(frames -> frames.filter(f -> f.getDeclaringClass() != Props.class).findFirst()).orElseThrow();
        forAll(caller.getDeclaringClass(), caller.getMethodName(), BASE_SEED, tries, generator, property);
    }

    static <T> void forAll(Class<?> test, String method, long seed, int tries, Function<Gen, ? extends T> generator,
                           Property<? super T> property) {
        if (tries < 1) {
            throw new IllegalArgumentException("tries: " + tries);
        }
        SplittableRandom perProperty = new SplittableRandom(mix(seed ^ mix((test.getName() + '#' + method).hashCode())));
        for (int i = 0; i < tries; i++) {
            Gen g = new Gen(perProperty.split(), tries, i == 0 ? Gen.Mode.SMALLEST : i == 1 ? Gen.Mode.LARGEST : Gen.Mode.RANDOM);
            T input;
            try {
                input = generator.apply(g);
            } catch (RuntimeException e) {
                throw new AssertionError(report(test, method, seed, i, tries, "(making it failed)", e), e);
            }
            try {
                property.check(input);
            } catch (Exception | AssertionError | StackOverflowError e) {
                throw new AssertionError(report(test, method, seed, i, tries, describe(input), e), e);
            }
        }
    }

    static String report(Class<?> test, String method, long seed, int i, int tries, String input, Throwable failure) {
        String which = i == 0 ? " (the smallest values)" : i == 1 ? " (the largest values)" : "";
        String name = test.getSimpleName() + '#' + method;
        return name + " failed on try " + (i + 1) + " of " + tries + which + " with seed " + seed + ".\n"
                + "Replay: mvn -o" + module() + " -am test -Dtest='" + name + "' -Dsurefire.failIfNoSpecifiedTests=false -D"
                + SEED_PROPERTY + "=" + seed + "\n"
                + "Input: " + input + "\n"
                + "Failure: " + escape(String.valueOf(failure), "\n\t");
    }

    /** The input as its toString, with control characters written as escapes so the report stays readable. */
    static String describe(Object input) {
        return escape(String.valueOf(input), "");
    }

    /** Control characters, other than those kept, written as Java escapes (backslash, u, four hex digits). */
    static String escape(String s, String kept) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) && kept.indexOf(c) < 0) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static long baseSeedFrom(String property) {
        if (property == null || property.isBlank()) {
            return ThreadLocalRandom.current().nextLong();
        }
        try {
            return Long.decode(property.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SEED_PROPERTY + " must be a long (decimal, or hex with 0x): " + property, e);
        }
    }

    /** " -pl <module>" when the tests run in a module of a Maven reactor (Surefire's working directory), else "". */
    private static String module() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path parent = dir.getParent();
        if (Files.exists(dir.resolve("pom.xml")) && parent != null && Files.exists(parent.resolve("pom.xml"))) {
            return " -pl " + dir.getFileName();
        }
        return "";
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser: nearby seeds and names give unrelated streams. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
