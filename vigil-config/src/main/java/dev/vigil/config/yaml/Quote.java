package dev.vigil.config.yaml;

import java.util.regex.Pattern;

/**
 * Values from a configuration file as a one-line message shows them. A value may hold anything YAML can: line
 * breaks (a block scalar, a quoted "\n"), tabs, control and invisible characters, 70,000 characters. Quoted, it
 * stays on one line and readable: a line break is written {@code \n}, a tab {@code \t}, a carriage return
 * {@code \r}, a quote {@code \"}, a backslash {@code \\}, any other control or invisible character (format
 * characters such as U+202E or U+FEFF, line and paragraph separators, lone surrogates) as a backslash-u escape of four hex digits;
 * a value longer than {@value #LONGEST} characters is cut to its first {@value #SHOWN}, followed by "…" and its
 * length: {@code "xxxxxxxx…" (28598 characters)}.
 */
public final class Quote {

    /** The longest value shown whole. */
    static final int LONGEST = 80;
    /** How much of a longer value is shown. */
    static final int SHOWN = 60;
    private static final Pattern PLAIN = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}._$/@+-]{0," + (LONGEST - 1) + "}");

    private Quote() {
    }

    /** A value in double quotes, escaped and shortened as the class comment says. */
    public static String value(String s) {
        if (s == null) {
            return "nothing";
        }
        String shown = s.length() > LONGEST ? cut(s) + "…" : s;
        return "\"" + escape(shown, true) + "\"" + (s.length() > LONGEST ? " (" + s.length() + " characters)" : "");
    }

    /**
     * A name as it stands when it is a plain word (letters, digits, '.', '_', '$', '/', '@', '+', '-', starting
     * with a letter or digit, at most {@value #LONGEST}), else {@link #value quoted}: {@code process order-to-cash}
     * but {@code process "order\nto-cash"}.
     */
    public static String name(String s) {
        return s != null && PLAIN.matcher(s).matches() ? s : value(s);
    }

    /**
     * Text that is not a value (a YAML parser's description of a problem, a reason) made safe for one line:
     * control and invisible characters escaped, at most {@code max} characters.
     */
    static String text(String s, int max) {
        if (s == null) {
            return "";
        }
        String t = s.strip();
        return escape(t.length() > max ? cut(t, max) + "…" : t, false);
    }

    private static String cut(String s) {
        return cut(s, SHOWN);
    }

    /** The first {@code n} chars, one fewer when the last would be the first half of a surrogate pair. */
    private static String cut(String s, int n) {
        return s.substring(0, Character.isHighSurrogate(s.charAt(n - 1)) ? n - 1 : n);
    }

    private static String escape(String s, boolean quoted) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String e = switch (c) {
                case '\n' -> "\\n";
                case '\t' -> "\\t";
                case '\r' -> "\\r";
                case '"' -> quoted ? "\\\"" : null;
                case '\\' -> quoted ? "\\\\" : null;
                default -> invisible(s, i) ? String.format("\\u%04X", (int) c) : null;
            };
            if (e != null && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (out != null) {
                if (e != null) {
                    out.append(e);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? s : out.toString();
    }

    /** Control and format characters, separators other than the space, and surrogates that are not a pair. */
    private static boolean invisible(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.PRIVATE_USE, Character.UNASSIGNED -> true;
            case Character.SPACE_SEPARATOR -> c != ' ';
            default -> false;
        };
    }
}
