package dev.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.app.demo.DemoCommand;
import dev.vigil.testkit.Gen;
import dev.vigil.testkit.Props;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vigil check-config} on random mutations of the demo's own configuration (the vigil.yaml and the OpenSLO
 * file that {@code vigil demo} writes): lines deleted, duplicated, swapped and re-indented, values replaced by
 * nulls, lists, mappings, numbers, huge strings, line breaks and control characters, anchors and tags, keys
 * misspelt, documents split, random bytes inserted, the file cut short. Whatever the file holds, the command
 * run in-process through {@link Vigil#commandLine()} exits 0 (and says the file is valid) or 1 (and lists its
 * problems), and every problem it prints is one line {@code FILE:LINE:COLUMN: message}, FILE being the
 * checked file or an OpenSLO file it names, LINE and COLUMN counting from 1 within that file, followed by
 * {@code N problem(s) in FILE}. Never a stack trace, an exception's class or message ("Cannot invoke ...",
 * "null"), a control character or a value quoted across several lines.
 */
class CheckConfigFuzzProperties {

    private static final String DEMO_VIGIL = resource("demo-vigil.yaml");
    private static final String DEMO_SLO = resource("demo-slo.yaml");

    /** What a problem line looks like: the file, line and column, then one line of message. */
    private static final Pattern PROBLEM = Pattern.compile("(/[^:]*):(\\d+):(\\d+): (\\S.*)");
    /** What an exception leaks into a message. */
    private static final Pattern LEAK = Pattern.compile("Exception|Cannot invoke|because \"|java\\.|javax\\.|"
            + "org\\.yaml|com\\.fasterxml|dev\\.vigil\\.|(?<![\"\\w-])null(?![\"\\w-])");
    /** A value quoted in a message: in double quotes, a quote or backslash in it escaped. */
    private static final Pattern QUOTED = Pattern.compile("\"[^\"\\\\]*+(?:\\\\.[^\"\\\\]*+)*+\"");
    /** Longer than any message needs, even with a long value quoted (shortened) in it. */
    private static final int LONGEST_LINE = 1000;

    @TempDir
    Path dir;

    /**
     * The vigil command, made once per property: building it (picocli reads every command's annotations) takes
     * longer than a check; each run sets its own writers, and picocli resets the options before each parse.
     */
    private final CommandLine vigil = Vigil.commandLine();

    enum Kind { VIGIL_YAML, OPENSLO }

    /** A mutated file: which of the demo's files, what was done to it, and the bytes written. */
    record Mutant(Kind kind, List<String> steps, byte[] bytes) {
        @Override
        public String toString() {
            String text = new String(bytes, StandardCharsets.UTF_8);
            String shown = text.length() <= 4000 ? text : text.substring(0, 4000) + "[... " + text.length() + " chars in all]";
            return kind + " after " + steps + ", " + bytes.length + " bytes:\n" + shown;
        }
    }

    @Test
    void anyMutationOfTheDemoConfigGetsLocatedOneLineMessagesAndNoStackTrace() {
        Props.forAll(500, g -> mutant(g, Kind.VIGIL_YAML, DEMO_VIGIL), m -> check(m, dir, vigil));
    }

    @Test
    void anyMutationOfTheDemoObjectivesGetsLocatedOneLineMessagesAndNoStackTrace() {
        Props.forAll(500, g -> mutant(g, Kind.OPENSLO, DEMO_SLO), m -> check(m, dir, vigil));
    }

    /** Runs check-config on the mutant (and the other demo file untouched) and checks what it printed. */
    private static void check(Mutant m, Path dir, CommandLine command) throws IOException {
        Path vigil = dir.resolve("vigil.yaml");
        Run r = run(m, dir, command);
        int exit = r.exit();
        String out = r.out();
        String err = r.err();

        String printed = "exit " + exit + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        assertThat(exit).as(printed).isIn(0, 1);
        for (String s : List.of(out, err)) {
            // Quoted values are the file's own words (a value may well be "null"); what is left is Vigil's.
            String words = QUOTED.matcher(s).replaceAll("\"\"");
            assertThat(LEAK.matcher(words).find()).as("an exception's words in the output: %s", printed).isFalse();
            assertThat(s.chars().filter(c -> c != '\n' && (Character.isISOControl(c) || c == 0x2028 || c == 0x2029)))
                    .as("control characters or line breaks other than \\n in the output: %s", printed).isEmpty();
            assertThat(s.lines()).as("lines longer than %d: %s", LONGEST_LINE, printed)
                    .allMatch(l -> l.length() <= LONGEST_LINE);
        }
        if (exit == 0) {
            assertThat(err).as(printed).isEmpty();
            assertThat(out).as(printed).startsWith(vigil + ": valid: ");
            return;
        }
        assertThat(out).as(printed).isEmpty();
        List<String> lines = err.lines().toList();
        assertThat(lines).as(printed).hasSizeGreaterThan(1);
        assertThat(lines.get(lines.size() - 1)).as(printed).isEqualTo((lines.size() - 1) + " problem(s) in " + vigil);
        for (String line : lines.subList(0, lines.size() - 1)) {
            Matcher p = PROBLEM.matcher(line);
            assertThat(p.matches()).as("not FILE:LINE:COLUMN: message: %s\n%s", line, printed).isTrue();
            Path file = Path.of(p.group(1));
            assertThat(file.normalize()).as("a file checked: %s\n%s", line, printed).startsWith(dir);
            assertThat(Files.isRegularFile(file)).as("a file checked: %s\n%s", line, printed).isTrue();
            int lineNo = Integer.parseInt(p.group(2));
            int column = Integer.parseInt(p.group(3));
            assertThat(lineNo).as("line within the file: %s\n%s", line, printed).isBetween(1, lineCount(file) + 1);
            assertThat(column).as("column from 1: %s\n%s", line, printed).isPositive();
        }
    }

    record Run(int exit, String out, String err) {
    }

    /** Writes the mutant and the other demo file into {@code dir} and runs check-config on the vigil.yaml there. */
    private static Run run(Mutant m, Path dir, CommandLine cl) throws IOException {
        Path vigil = dir.resolve("vigil.yaml");
        Path slo = dir.resolve("slo.yaml");
        Files.write(vigil, m.kind() == Kind.VIGIL_YAML ? m.bytes() : DEMO_VIGIL.getBytes(StandardCharsets.UTF_8));
        Files.write(slo, m.kind() == Kind.OPENSLO ? m.bytes() : DEMO_SLO.getBytes(StandardCharsets.UTF_8));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("check-config", vigil.toString());
        return new Run(exit, out.toString(), err.toString());
    }

    /** Lines as YAML counts them (SnakeYAML also breaks lines at CR, NEL, LS and PS). */
    private static int lineCount(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        return 1 + (int) text.chars().filter(c -> c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029).count();
    }

    // ---- mutations ----------------------------------------------------------------------------------------

    enum Op { SCALAR, DELETE, DUPLICATE, SWAP, INDENT, KEY, INSERT, WHOLE_FILE }

    /**
     * In half of the tries 1 to 3 changes of the file's shape, and up to 10 replaced values, in random order: many
     * values per try, so that 500 tries reach most pairs of a field and a kind of bad value (most bad values leave
     * the rest of the file readable YAML, and the loaders report every problem, so one try checks them all).
     */
    private static Mutant mutant(Gen g, Kind kind, String demo) {
        List<String> lines = new ArrayList<>(demo.lines().toList());
        List<String> steps = new ArrayList<>();
        List<Op> ops = new ArrayList<>();
        for (int i = g.chance(0.5) ? 0 : g.ints(1, 3); i > 0; i--) {
            ops.add(g.oneOf(Op.values()));
        }
        for (int i = g.ints(ops.isEmpty() ? 1 : 0, 10); i > 0; i--) {
            ops.add(Op.SCALAR);
        }
        java.util.Collections.shuffle(ops, new java.util.Random(g.random().nextLong()));
        for (Op chosen : ops) {
            Op op = chosen;
            if (lines.isEmpty() && op != Op.INSERT && op != Op.WHOLE_FILE) {
                op = Op.INSERT;
            }
            switch (op) {
                case SCALAR -> scalar(g, lines, steps);
                case DELETE -> {
                    int at = g.ints(0, lines.size() - 1);
                    lines.remove(at);
                    steps.add("delete line " + (at + 1));
                }
                case DUPLICATE -> {
                    int at = g.ints(0, lines.size() - 1);
                    lines.add(at + 1, lines.get(at));
                    steps.add("duplicate line " + (at + 1));
                }
                case SWAP -> {
                    int a = g.ints(0, lines.size() - 1);
                    int b = g.ints(0, lines.size() - 1);
                    String t = lines.get(a);
                    lines.set(a, lines.get(b));
                    lines.set(b, t);
                    steps.add("swap lines " + (a + 1) + " and " + (b + 1));
                }
                case INDENT -> indent(g, lines, steps);
                case KEY -> key(g, lines, steps);
                case INSERT -> {
                    int at = g.ints(0, lines.size());
                    String junk = g.oneOf("---", "...", "--- # another document", "%YAML 1.1", "? complex key",
                            "- item", "  - {a: 1}", "key: value", "&anchor", "*alias", "<<: *anchor", "# a comment", "\t",
                            "\tkey: value", "@reserved", "`backtick", "[unclosed", "{a: 1", "x: [1, 2", "!!binary",
                            "'unterminated", "\"unterminated", "spec:", "metadata: {name: x}", "kind: SLO",
                            "apiVersion: openslo/v1", "objectives: [missing.yaml]", ": no key", "a: b: c", "-",
                            "sources: !!set {a, b}", "x: !!int abc", "x: !!float nope", "x: !custom {a: b}", "\u00a0x: 1",
                            "x: |\n  multi\n  line", "x: >-\n  folded\n  text", "\uFEFFkey: bom");
                    lines.add(at, junk);
                    steps.add("insert " + quote(junk) + " before line " + (at + 1));
                }
                case WHOLE_FILE -> {
                    String whole = g.oneOf("", "\n", "---\n", "---\n---\n", "~\n", "null\n", "[]\n", "{}\n", "42\n",
                            "\"just a string\"\n", "# only a comment\n", "- a\n- b\n", "...\n", "--- |\n  text\n",
                            "&a [*a]\n", "*undefined\n");
                    lines.clear();
                    lines.addAll(whole.lines().toList());
                    steps.add("replace the whole file by " + quote(whole));
                }
            }
        }
        byte[] bytes = (String.join("\n", lines) + (g.chance(0.9) ? "\n" : "")).getBytes(StandardCharsets.UTF_8);
        if (g.chance(0.2)) {
            bytes = insertBytes(g, bytes, steps);
        }
        if (g.chance(0.1)) {
            int at = g.ints(0, bytes.length);
            bytes = java.util.Arrays.copyOf(bytes, at);
            steps.add("cut after byte " + at);
        }
        if (g.chance(0.05)) {
            bytes = new String(bytes, StandardCharsets.ISO_8859_1).replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            steps.add("CRLF line ends");
        }
        if (g.chance(0.03)) {
            bytes = new String(bytes, StandardCharsets.ISO_8859_1).replace("\n", "\r").getBytes(StandardCharsets.ISO_8859_1);
            steps.add("CR line ends");
        }
        return new Mutant(kind, steps, bytes);
    }

    /** Values and the places they go: after "key: ", after "- ", or as an item of a flow list (not a key). */
    private static final Pattern VALUE = Pattern.compile(
            "(?:: +|- +|\\[ *|, *)([^\\s,{}\\[\\]#:](?:(?!: )[^,{}\\[\\]#])*?)(?= *(?:[,}\\]#]|$))");

    /** Where {@code pattern}'s first group matches, as {line, start, end}. */
    private static List<int[]> places(List<String> lines, Pattern pattern) {
        List<int[]> places = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = pattern.matcher(lines.get(i));
            while (m.find()) {
                places.add(new int[] {i, m.start(1), m.end(1)});
            }
        }
        return places;
    }

    private static void scalar(Gen g, List<String> lines, List<String> steps) {
        List<int[]> places = places(lines, VALUE);
        if (places.isEmpty()) {
            return;
        }
        int[] at = g.oneOf(places);
        String line = lines.get(at[0]);
        String indent = " ".repeat(line.length() - line.stripLeading().length() + 4);
        // A block scalar (|, >) may stand only where the value ends its line outside any flow collection.
        boolean blockEnd = line.substring(at[2]).strip().isEmpty() && line.indexOf('{') < 0 && line.indexOf('[') < 0;
        String value = replacement(g, line.substring(at[1], at[2]), indent, blockEnd);
        lines.set(at[0], line.substring(0, at[1]) + value + line.substring(at[2]));
        steps.add("value at line " + (at[0] + 1) + " column " + (at[1] + 1) + " -> " + quote(value));
    }

    /**
     * A value in place of {@code was}. Nine in ten keep the file readable YAML, so that the loaders get to check
     * the value: nothing, lists and mappings, numbers, the old value with other numbers, quoted strings with line
     * breaks, control characters or 70,000 characters, anchors and aliases, tags, block scalars where a block may
     * stand, deep nesting. One in ten is anything at all (raw control characters, a quote left open, a line break
     * inside a flow mapping), which mostly makes the whole file a syntax error.
     */
    private static String replacement(Gen g, String was, String indent, boolean blockEnd) {
        if (g.chance(0.1)) {
            return wild(g, indent);
        }
        return switch (g.ints(0, 9)) {
            case 0 -> g.oneOf("null", "~", "", "Null", "NULL", "''", "\"\"", "!!null x");
            case 1 -> g.oneOf("[]", "{}", "[a, b]", "{a: 1}", "[[]]", "{a: {b: c}}", "[null]", "{? a}", "[~, ~]",
                    "[" + was + "]", "[" + was + ", " + was + "]", "{x: " + was + "}");
            case 2 -> g.oneOf("0", "-1", "42", "1e308", "-1e309", "3.14", "0x1F", "0o17", "012", ".inf", "-.Inf", ".nan",
                    "true", "false", "yes", "no", "on", "99999999999999999999999", "1_000", "2026-01-01", "12:30:00",
                    "-0", "+5", "NaN", "Infinity");
            case 3 -> digits(g, was);
            case 4 -> doubleQuoted(g.chance(0.5) ? "x".repeat(g.ints(61, 70_000))
                    : g.string(61, 70_000, () -> g.ints(0x20, 0x7e)));
            case 5 -> g.oneOf("\"line one\\nline two\"", "\"tab\\there\"", "\"a\\r\\nb\"", "\"\\u2028separator\\u2029\"",
                    "\"nel\\N\"", "\"\\L\\P\"", "\"\\x01\\x02\\x1b[31mred\"", "\"\\0nul\"", "\"\\x7f\\x85\\x9f\"",
                    "\"bell\\a\"", "\"\\e[2J\"", "\"\\uFEFF\"", "\"\\U0001F600\"", "\"\\u202Eevil\"", "\"zero\\u200Bwidth\"",
                    "\"\\uD800\"", "\"" + was.replace("\\", "\\\\").replace("\"", "\\\"") + "\\n\"",
                    "'" + was.replace("'", "''") + "\t'");
            case 6 -> g.oneOf("&a " + was, "*a", "*undefined", "&a [1]", "&a {b: c}", "&a", "&b " + was);
            case 7 -> g.oneOf("!!str " + was, "!!int " + was, "!!float " + was, "!!bool " + was, "!!binary AAAA",
                    "!!binary ###", "!custom " + was, "!!timestamp " + was, "!!map {}", "!!seq []",
                    "!<tag:yaml.org,2002:str> " + was, "!!python/object " + was);
            case 8 -> blockEnd ? g.oneOf("|\n" + indent + "block\n" + indent + "scalar", ">\n" + indent + "folded\n\n" + indent
                    + "paragraphs", "|-\n" + indent + was, "|+\n" + indent + was + "\n", "|\n" + indent + was + "\n" + indent + was)
                    : doubleQuoted(g.string(0, 40, g::anyChar));
            default -> nested(g.chance(0.05) ? g.ints(1000, 1200) : g.ints(2, 60));
        };
    }

    /** Anything: mostly text that makes a syntax error of the file wherever it stands. */
    private static String wild(Gen g, String indent) {
        return switch (g.ints(0, 3)) {
            case 0 -> g.oneOf("'first\n" + indent + "second'", "\"first\n" + indent + "second\"", "|\n" + indent + "block",
                    "a\u0007b", "\u0000", "\u202Eevil", "\u0085", "x\u2028y");
            case 1 -> g.string(0, 40, () -> g.chance(0.5) ? g.ints(0x20, 0x7e) : g.anyChar());
            case 2 -> g.oneOf("&a x", "*a, *a", "<<", "!!python/object x", "!<x", "!%zz x");
            default -> g.oneOf("\"quoted: with colon\"", "'single ''quoted'''", "a: b", "- x", "? q", "%", "@", "`",
                    "|", ">", "'", "\"", "#", "x #comment", "\\", "\"\\q\"", "\"\\xZZ\"", "{", "]");
        };
    }

    /** Text as a YAML double-quoted scalar: quotes, backslashes and control characters escaped. */
    private static String doubleQuoted(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || Character.isSurrogate(c) || c == 0xfeff || c >= 0xfffe) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** Lists in lists, {@code depth} deep (Jackson reads at most 1000). */
    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static final Pattern NUMBER = Pattern.compile("[0-9]+(\\.[0-9]+)?");

    /** The value with its numbers changed: to 0, to -1, to more digits than a long holds, to a million, ... */
    private static String digits(Gen g, String was) {
        return NUMBER.matcher(was).replaceAll(g.oneOf("0", "-1", "99999999999999999999", "1000000", "9223372036854775807",
                "0.0000001", "1e9", "0x7fffffff", "-0", "36501", "1e-400"));
    }

    private static void indent(Gen g, List<String> lines, List<String> steps) {
        int at = g.ints(0, lines.size() - 1);
        String line = lines.get(at);
        String body = line.stripLeading();
        int spaces = line.length() - body.length();
        String lead = line.substring(0, spaces);
        String prefix = switch (g.ints(0, 4)) {
            case 0 -> " ".repeat(spaces + g.ints(1, 4));
            case 1 -> " ".repeat(Math.max(0, spaces - g.ints(1, 4)));
            case 2 -> "\t" + lead;
            case 3 -> lead.replace("  ", "\t");
            default -> "";
        };
        String changed = prefix + body;
        lines.set(at, changed);
        steps.add("indent line " + (at + 1) + " as " + quote(prefix));
    }

    private static final Pattern KEY = Pattern.compile("(?:^ *(?:- +)?|[{,] *)([A-Za-z$][\\w.$-]*)(?=:)");

    private static void key(Gen g, List<String> lines, List<String> steps) {
        List<int[]> places = places(lines, KEY);
        if (places.isEmpty()) {
            return;
        }
        int[] at = g.oneOf(places);
        String line = lines.get(at[0]);
        String key = line.substring(at[1], at[2]);
        int p = g.ints(0, key.length() - 1);
        String changed = switch (g.ints(0, 5)) {
            case 0 -> key.substring(0, p) + key.substring(p + 1);
            case 1 -> key.substring(0, p + 1) + key.charAt(p) + key.substring(p + 1);
            case 2 -> p + 1 < key.length() ? key.substring(0, p) + key.charAt(p + 1) + key.charAt(p) + key.substring(p + 2) : key + "s";
            case 3 -> key.toUpperCase(java.util.Locale.ROOT);
            case 4 -> key + "s";
            default -> key.substring(0, p) + (char) g.ints('a', 'z') + key.substring(p + 1);
        };
        lines.set(at[0], line.substring(0, at[1]) + changed + line.substring(at[2]));
        steps.add("key " + key + " at line " + (at[0] + 1) + " -> " + changed);
    }

    private static byte[] insertBytes(Gen g, byte[] bytes, List<String> steps) {
        int at = g.ints(0, bytes.length);
        byte[] junk = switch (g.ints(0, 3)) {
            case 0 -> new byte[] {(byte) (int) g.<Integer>oneOf(0x00, 0x09, 0x0d, 0x1b, 0x7f, 0x80, 0xc3, 0xff, 0xfe, 0xc0)};
            case 1 -> new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};
            case 2 -> new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80};
            default -> {
                byte[] b = new byte[g.ints(1, 8)];
                g.random().nextBytes(b);
                yield b;
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, at);
        out.writeBytes(junk);
        out.write(bytes, at, bytes.length - at);
        steps.add("insert bytes " + java.util.HexFormat.ofDelimiter(" ").formatHex(junk) + " at byte " + at);
        return out.toByteArray();
    }

    /** A value for the steps' list: escaped, long ones shortened. */
    private static String quote(String s) {
        String shown = s.length() > 60 ? s.substring(0, 40) + "…(" + s.length() + " chars)" : s;
        return "\"" + shown.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + "\"";
    }

    private static String resource(String name) {
        try (InputStream in = DemoCommand.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the demo's " + name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
