package dev.vigil.server.ingest;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the elements of a top-level JSON array by their brackets and strings alone, without parsing them, so
 * that each element is decoded on its own (as an NDJSON line is): an element that is too deep, holds a name
 * that is too long or bytes that are not UTF-8, or is not even JSON, costs that element only. Only a body whose
 * brackets or strings do not close is refused as a whole.
 */
final class ArraySplitter {

    /** One element: bytes {@code [start, end)}, and where it starts in the body (1-based line and column). */
    record Element(int start, int end, int line, int column) {
    }

    /** The body cannot be split: its structure does not close. */
    static final class Unsplittable extends Exception {
        final String at;

        Unsplittable(String message, int line, int column) {
            super(message, null, false, false);
            this.at = "line " + line + ", column " + column;
        }
    }

    private final byte[] b;
    private final int to;
    private int i;
    private int line = 1;
    private int lineStart;

    private ArraySplitter(byte[] b, int from, int to) {
        this.b = b;
        this.to = to;
        this.i = from;
        this.lineStart = from;
    }

    /** The elements of the array that starts at the first non-blank byte (which the caller checked is '['). */
    static List<Element> split(byte[] body, int from, int to) throws Unsplittable {
        return new ArraySplitter(body, from, to).elements();
    }

    private List<Element> elements() throws Unsplittable {
        List<Element> out = new ArrayList<>();
        skipBlank();
        i++; // the '['
        skipBlank();
        if (i < to && b[i] == ']') {
            i++;
            expectEnd();
            return out;
        }
        while (true) {
            skipBlank();
            int start = i;
            int startLine = line;
            int startColumn = i - lineStart + 1;
            int depth = 0;
            boolean inString = false;
            int end = -1;
            char closer = 0;
            while (i < to) {
                byte c = b[i];
                if (inString) {
                    if (c == '\\') {
                        i++;
                    } else if (c == '"') {
                        inString = false;
                    } else if (c == '\n') {
                        newLine();
                    }
                } else if (c == '"') {
                    inString = true;
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    if (depth == 0) {
                        if (c == '}') {
                            throw new Unsplittable("unexpected '}' where an array element or ']' was expected",
                                    line, i - lineStart + 1);
                        }
                        end = i;
                        closer = ']';
                        break;
                    }
                    depth--;
                } else if (c == ',' && depth == 0) {
                    end = i;
                    closer = ',';
                    break;
                } else if (c == '\n') {
                    newLine();
                }
                i++;
            }
            if (end < 0) {
                throw new Unsplittable(inString
                        ? "the body ends inside a string: a '\"' is missing"
                        : "the body ends before the JSON is complete (an array or object is not closed)",
                        line, i - lineStart + 1);
            }
            int e = end;
            while (e > start && isBlank(b[e - 1])) {
                e--;
            }
            out.add(new Element(start, e, startLine, startColumn));
            i = end + 1;
            if (closer == ']') {
                expectEnd();
                return out;
            }
        }
    }

    private void expectEnd() throws Unsplittable {
        skipBlank();
        if (i < to) {
            throw new Unsplittable("unexpected content after the end of the array; send one object or one array, "
                    + "or use application/x-ndjson for one object per line", line, i - lineStart + 1);
        }
    }

    private void skipBlank() {
        while (i < to && isBlank(b[i])) {
            if (b[i] == '\n') {
                newLine();
            }
            i++;
        }
    }

    private void newLine() {
        line++;
        lineStart = i + 1;
    }

    private static boolean isBlank(byte c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }
}
