package dev.vigil.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
                case Scalar s -> "\"" + s.text() + "\"";
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

    private static final YAMLFactory FACTORY = new YAMLFactory();

    private YamlTree() {
    }

    /**
     * Parses a whole document; duplicate keys are reported into {@code errors}, a syntax error is thrown.
     *
     * @return the root, or a {@link Null} for an empty document
     */
    static Node parse(String text, String file, List<ConfigError> errors) throws InvalidConfig {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new Null(new Loc(1, 1));
            }
            return read(p, t, file, errors);
        } catch (JsonProcessingException e) {
            throw syntaxError(e, file);
        } catch (IOException e) {
            throw new InvalidConfig(List.of(new ConfigError(file, 1, 1, "cannot read: " + e.getMessage())));
        }
    }

    private static InvalidConfig syntaxError(JsonProcessingException e, String file) {
        int line;
        int column;
        String problem;
        if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null) {
            // SnakeYAML knows the problem itself ("expected ',' or ']', but got <stream end>"); its marks count from 0.
            line = m.getProblemMark().getLine() + 1;
            column = m.getProblemMark().getColumn() + 1;
            problem = (m.getContext() == null ? "" : m.getContext() + ": ") + m.getProblem();
        } else {
            JsonLocation l = e.getLocation();
            line = l == null ? 1 : l.getLineNr();
            column = l == null ? 1 : l.getColumnNr();
            problem = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
        }
        return new InvalidConfig(List.of(new ConfigError(file, line, column,
                "not valid YAML: " + problem + "; check the indentation and quoting around here")));
    }

    /** Parses every document of a multi-document file (separated by ---); empty documents are left out. */
    static List<Node> parseAll(String text, String file, List<ConfigError> errors) throws InvalidConfig {
        List<Node> docs = new java.util.ArrayList<>();
        try (JsonParser p = FACTORY.createParser(text)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                docs.add(read(p, t, file, errors));
            }
            return docs;
        } catch (JsonProcessingException e) {
            throw syntaxError(e, file);
        } catch (IOException e) {
            throw new InvalidConfig(List.of(new ConfigError(file, 1, 1, "cannot read: " + e.getMessage())));
        }
    }

    private static Node read(JsonParser p, JsonToken t, String file, List<ConfigError> errors) throws IOException {
        Loc loc = loc(p.currentTokenLocation());
        switch (t) {
            case START_OBJECT -> {
                Map<String, Entry> entries = new LinkedHashMap<>();
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    Loc keyLoc = loc(p.currentTokenLocation());
                    Node value = read(p, p.nextToken(), file, errors);
                    Entry prev = entries.putIfAbsent(key, new Entry(key, keyLoc, value));
                    if (prev != null) {
                        errors.add(new ConfigError(file, keyLoc.line(), keyLoc.column(), "\"" + key
                                + "\" appears twice here (first at line " + prev.keyLoc().line() + "); keep one of them"));
                    }
                }
                return new MapNode(entries, loc);
            }
            case START_ARRAY -> {
                List<Node> items = new ArrayList<>();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    items.add(read(p, t, file, errors));
                }
                return new ListNode(items, loc);
            }
            case VALUE_NULL -> {
                return new Null(loc);
            }
            default -> {
                return new Scalar(p.getText(), t == JsonToken.VALUE_STRING, loc);
            }
        }
    }

    private static Loc loc(JsonLocation l) {
        return new Loc(l.getLineNr(), l.getColumnNr());
    }
}
