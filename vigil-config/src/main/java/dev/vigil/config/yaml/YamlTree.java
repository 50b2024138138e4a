package dev.vigil.config.yaml;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree whose every node knows its line and column: what Jackson's tree model drops,
 * and what a configuration error must quote.
 */
final class YamlTree {

    record Loc(int line, int column) {
    }

    sealed interface Node permits Scalar, MapNode, ListNode, Null {
        Loc loc();

        default String describe() {
            return switch (this) {
                case Scalar s -> Quote.value(s.text());
                case MapNode m -> "a mapping";
                case ListNode l -> "a list";
                case Null n -> "nothing";
            };
        }
    }

    record Scalar(String text, boolean string, Loc loc) implements Node {
    }

    record Entry(String key, Loc keyLoc, Node value) {
    }

    record MapNode(Map<String, Entry> entries, Loc loc) implements Node {
    }

    record ListNode(List<Node> items, Loc loc) implements Node {
    }

    record Null(Loc loc) implements Node {
    }

    /**
     * Jackson's YAML parser with the SnakeYAML event of the current token at hand: Jackson tells an alias (*name)
     * but keeps the anchor (&name) only of mappings and lists, not of single values.
     */
    private static final class EventParser extends YAMLParser {
        EventParser(com.fasterxml.jackson.core.io.IOContext context, int features, int yamlFeatures,
                    org.yaml.snakeyaml.LoaderOptions options, com.fasterxml.jackson.core.ObjectCodec codec, java.io.Reader r) {
            super(context, features, yamlFeatures, options, codec, r);
        }

        /** The anchor written on the current value, or null. */
        String anchor() {
            return _lastEvent instanceof org.yaml.snakeyaml.events.NodeEvent n && !isCurrentAlias() ? n.getAnchor() : null;
        }
    }

    private static final YAMLFactory FACTORY = new YAMLFactory() {
        @Override
        protected YAMLParser _createParser(java.io.Reader r, com.fasterxml.jackson.core.io.IOContext context) {
            return new EventParser(context, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, r);
        }
    };

    /** A parser of the text that knows anchors (the factory makes one so from a Reader). */
    private static EventParser parser(String text) throws IOException {
        return (EventParser) FACTORY.createParser(new java.io.StringReader(text));
    }

    private YamlTree() {
    }

    /**
     * Parses a file of one document; duplicate keys, aliases to no anchor and a second document are reported into
     * {@code errors}, a syntax error is thrown.
     *
     * @return the root, or a {@link Null} for an empty document
     */
    static Node parse(String text, String file, List<ConfigError> errors) throws InvalidConfig {
        try (EventParser p = parser(text)) {
            TreeReader r = new TreeReader(p, file, errors);
            JsonToken t = p.nextToken();
            if (t == null) {
                return new Null(new Loc(1, 1));
            }
            Node root = r.read(t);
            for (t = p.nextToken(); t != null; t = p.nextToken()) {
                Node more = r.read(t);
                if (!(more instanceof Null)) {
                    errors.add(new ConfigError(file, more.loc().line(), more.loc().column(), "a second document (after "
                            + "---) in a file that holds one; move its settings into the first or remove the ---"));
                    break;
                }
            }
            return root;
        } catch (JsonProcessingException e) {
            throw syntaxError(e, text, file);
        } catch (IOException e) {
            throw new InvalidConfig(List.of(new ConfigError(file, 1, 1, "cannot read the text")));
        }
    }

    /** Parses every document of a multi-document file (separated by ---); empty documents are left out. */
    static List<Node> parseAll(String text, String file, List<ConfigError> errors) throws InvalidConfig {
        List<Node> docs = new ArrayList<>();
        try (EventParser p = parser(text)) {
            TreeReader r = new TreeReader(p, file, errors);
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                Node doc = r.read(t);
                if (!(doc instanceof Null)) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (JsonProcessingException e) {
            throw syntaxError(e, text, file);
        } catch (IOException e) {
            throw new InvalidConfig(List.of(new ConfigError(file, 1, 1, "cannot read the text")));
        }
    }

    /**
     * A syntax error as one line with its place: SnakeYAML's own description of the problem where it gives one
     * ("expected ',' or ']', but got <stream end>"), else what Vigil knows the parser's complaint to mean; never
     * the parser's internals (event classes, method names).
     */
    private static InvalidConfig syntaxError(JsonProcessingException e, String text, String file) {
        if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null) {
            // SnakeYAML knows the problem itself ("expected ',' or ']', but got <stream end>"); its marks count from 0.
            String problem = (m.getContext() == null ? "" : m.getContext() + ": ") + m.getProblem();
            return problem(file, m.getProblemMark().getLine() + 1, m.getProblemMark().getColumn() + 1,
                    "not valid YAML: " + Quote.text(problem, 200) + "; check the indentation and quoting around here");
        }
        if (e.getCause() instanceof org.yaml.snakeyaml.reader.ReaderException r) {
            // A character YAML allows nowhere (a control character, U+FFFE): its place from its position in the text.
            int[] at = place(text, r.getPosition());
            String u = String.format("U+%04X", r.getCodePoint());
            return problem(file, at[0], at[1], "the character " + u + " is not allowed in YAML; remove it, or write it as \\u"
                    + u.substring(2) + " inside double quotes");
        }
        JsonLocation l = e.getLocation();
        boolean placed = l != null && l.getLineNr() > 0;
        return problem(file, placed ? l.getLineNr() : 1, placed ? Math.max(1, l.getColumnNr()) : 1, jacksonProblem(e));
    }

    private static InvalidConfig problem(String file, int line, int column, String message) {
        return new InvalidConfig(List.of(new ConfigError(file, line, column, message)));
    }

    /** What Jackson's complaints (not SnakeYAML's) mean, in words, with the fix. */
    private static String jacksonProblem(JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (m.startsWith("Expected a field name")) {
            // A key that is no single value: Jackson names the YAML event it found instead.
            String what = m.contains("AliasEvent") ? "an alias (*name)" : m.contains("SequenceStartEvent") ? "a list"
                    : m.contains("MappingStartEvent") ? "a mapping" : "not a single value";
            return "not valid YAML: a key here is " + what + "; a key must be a single value such as name:";
        }
        if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
            if (m.contains("nesting depth")) {
                return "lists or mappings nested more than " + FACTORY.streamReadConstraints().getMaxNestingDepth()
                        + " levels deep; Vigil's settings nest a few levels";
            }
            return "a key or value too large to read; shorten it";
        }
        if (m.contains("exceeds the limit") && m.contains("code points")) {
            return "the file is longer than the YAML reader takes (3 MB); shorten it";
        }
        // Anything else: the first line, without what only the parser's authors can read.
        return "not valid YAML: " + Quote.text(m.lines().findFirst().orElse("").replaceAll("<[\\w.$]+\\(.*?\\)>", "here")
                .replaceAll(",? from `[^`]*`", ""), 200) + "; check the indentation and quoting around here";
    }

    /** The line and column (from 1) of the code point at {@code position}. */
    private static int[] place(String text, int position) {
        int line = 1;
        int column = 1;
        int i = 0;
        for (int cp = 0; cp < position && i < text.length(); cp++) {
            char c = text.charAt(i);
            i += Character.charCount(text.codePointAt(i));
            boolean crlf = c == '\r' && i < text.length() && text.charAt(i) == '\n';
            if (c == '\n' || (c == '\r' && !crlf) || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new int[] {line, column};
    }

    /** Reads nodes from the parser, resolving aliases (*name) to the node anchored (&name) before them. */
    private static final class TreeReader {
        private final EventParser p;
        private final String file;
        private final List<ConfigError> errors;
        private final Map<String, Node> anchors = new java.util.HashMap<>();

        TreeReader(EventParser p, String file, List<ConfigError> errors) {
            this.p = p;
            this.file = file;
            this.errors = errors;
        }

        Node read(JsonToken t) throws IOException {
            Loc loc = loc(p.currentTokenLocation());
            if (p.isCurrentAlias()) {
                String name = p.getText();
                Node anchored = anchors.get(name);
                if (anchored == null) {
                    errors.add(new ConfigError(file, loc.line(), loc.column(), "*" + Quote.name(name) + " refers to no "
                            + "anchor: write &" + Quote.name(name) + " on a value before it, or write the value here"));
                    return new Null(loc);
                }
                // The value written at the anchor, placed where the alias stands (what is inside stays where it is written).
                return switch (anchored) {
                    case Scalar v -> new Scalar(v.text(), v.string(), loc);
                    case MapNode m -> new MapNode(m.entries(), loc);
                    case ListNode l -> new ListNode(l.items(), loc);
                    case Null n -> new Null(loc);
                };
            }
            String anchor = p.anchor();
            Node node = switch (t) {
                case START_OBJECT -> {
                    Map<String, Entry> entries = new LinkedHashMap<>();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        Loc keyLoc = loc(p.currentTokenLocation());
                        Node value = read(p.nextToken());
                        Entry prev = entries.putIfAbsent(key, new Entry(key, keyLoc, value));
                        if (prev != null) {
                            errors.add(new ConfigError(file, keyLoc.line(), keyLoc.column(), Quote.value(key)
                                    + " appears twice here (first at line " + prev.keyLoc().line() + "); keep one of them"));
                        }
                    }
                    yield new MapNode(entries, loc);
                }
                case START_ARRAY -> {
                    List<Node> items = new ArrayList<>();
                    for (JsonToken i = p.nextToken(); i != JsonToken.END_ARRAY; i = p.nextToken()) {
                        items.add(read(i));
                    }
                    yield new ListNode(items, loc);
                }
                case VALUE_NULL -> new Null(loc);
                default -> new Scalar(p.getText(), t == JsonToken.VALUE_STRING, loc);
            };
            if (anchor != null) {
                anchors.put(anchor, node);
            }
            return node;
        }
    }

    private static Loc loc(JsonLocation l) {
        return new Loc(Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
    }
}
