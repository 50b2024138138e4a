package dev.vigil.batch.input;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Reads records from a CSV file (a header row, then one record per row) or an NDJSON file (one JSON object
 * per line) as a stream: one record in memory at a time, whatever the file's size. A row or line that
 * cannot be a record (wrong number of fields, not JSON, not an object) comes out as an unreadable record
 * with the reason, so that it lands in the reject file and the records after it still go through.
 *
 * <p>The idempotency key is the record's {@code id} field when it has one, else the file name and the
 * record's position ({@code orders.csv#41}), the same on every run over the same file.
 */
public final class RecordReader implements Iterator<InputRecord>, AutoCloseable {

    /** The input formats. */
    public enum Format {
        CSV, NDJSON;

        public static Format of(Path file) {
            String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            if (name.endsWith(".csv")) {
                return CSV;
            }
            if (name.endsWith(".ndjson") || name.endsWith(".jsonl") || name.endsWith(".json")) {
                return NDJSON;
            }
            throw new IllegalArgumentException(file + ": cannot tell the format from the name; use a .csv, "
                    + ".ndjson or .jsonl file, or say --format csv|ndjson");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longest NDJSON line read: a file without line breaks must not take the heap. */
    static final int MAX_LINE_CHARS = 16 * 1024 * 1024;
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String TOO_LONG = new String("too long");

    private final String fileName;
    private final Format format;
    private final CountingInputStream bytes;
    private final BufferedReader lines;
    private final MappingIterator<String[]> rows;
    private final String[] header;
    private long index;
    private long line;
    private InputRecord next;

    public RecordReader(Path file, Format format) throws IOException {
        this.fileName = file.getFileName().toString();
        this.format = format;
        this.bytes = new CountingInputStream(Files.newInputStream(file));
        if (format == Format.CSV) {
            CsvMapper csv = new CsvMapper();
            csv.enable(CsvParser.Feature.WRAP_AS_ARRAY);
            this.lines = null;
            this.rows = csv.readerFor(String[].class).with(CsvSchema.emptySchema())
                    .readValues(new InputStreamReader(bytes, StandardCharsets.UTF_8));
            if (!rows.hasNext()) {
                throw new IOException(file + " is empty: a CSV input starts with a header row naming the fields");
            }
            this.header = rows.next();
            this.line = 1;
        } else {
            this.lines = new BufferedReader(new InputStreamReader(bytes, StandardCharsets.UTF_8), 1 << 16);
            this.rows = null;
            this.header = null;
        }
    }

    /** Bytes of the file read so far: with the file's size, how far the run is. */
    public long bytesRead() {
        return bytes.count;
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            next = read();
        }
        return next != null;
    }

    @Override
    public InputRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        InputRecord r = next;
        next = null;
        return r;
    }

    private InputRecord read() {
        try {
            return format == Format.CSV ? readRow() : readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(fileName + " near line " + line + ": " + e.getMessage(), e);
        }
    }

    private InputRecord readRow() {
        if (!rows.hasNext()) {
            return null;
        }
        String[] row;
        try {
            row = rows.next();
        } catch (RuntimeException e) {
            line++;
            return unreadable("line " + line + ": not a CSV row: " + e.getMessage());
        }
        line++;
        if (row.length == 1 && row[0].isEmpty()) {
            return readRow();
        }
        if (row.length != header.length) {
            return unreadable("line " + line + ": " + row.length + " fields, the header has " + header.length);
        }
        ObjectNode fields = JSON.createObjectNode();
        for (int i = 0; i < row.length; i++) {
            fields.put(header[i], row[i]);
        }
        return record(fields);
    }

    private InputRecord readLine() throws IOException {
        String l;
        do {
            l = boundedLine();
            if (l == null) {
                return null;
            }
            line++;
        } while (l.isBlank());
        if (l == TOO_LONG) {
            return unreadable("line " + line + ": longer than " + MAX_LINE_CHARS / (1024 * 1024)
                    + " MiB; a record is one line of JSON (is this NDJSON?)");
        }
        JsonNode n;
        try {
            n = JSON.readTree(l);
        } catch (IOException e) {
            return unreadable("line " + line + ": not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(n instanceof ObjectNode o)) {
            return unreadable("line " + line + ": a record is a JSON object, not " + n.getNodeType().toString().toLowerCase());
        }
        return record(o);
    }

    /** A line of at most {@link #MAX_LINE_CHARS}; a longer one is skipped to its end and reported, not held. */
    private String boundedLine() throws IOException {
        StringBuilder b = new StringBuilder();
        boolean tooLong = false;
        int c;
        while ((c = lines.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (b.length() < MAX_LINE_CHARS) {
                b.append((char) c);
            } else {
                tooLong = true;
            }
        }
        if (c == -1 && b.isEmpty() && !tooLong) {
            return null;
        }
        if (tooLong) {
            return TOO_LONG;
        }
        int n = b.length();
        return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
    }

    private InputRecord record(ObjectNode fields) {
        String key = key(fields);
        if (!fields.hasNonNull("id") || fields.get("id").asText().isEmpty()) {
            fields.put("id", key);
        }
        return new InputRecord(index++, key, fields, null);
    }

    private InputRecord unreadable(String why) {
        InputRecord r = new InputRecord(index, key(null), null, why);
        index++;
        return r;
    }

    private String key(ObjectNode fields) {
        if (fields != null && fields.hasNonNull("id") && !fields.get("id").asText().isEmpty()) {
            return fields.get("id").asText();
        }
        return fileName + "#" + index;
    }

    @Override
    public void close() throws IOException {
        if (rows != null) {
            rows.close();
        }
        if (lines != null) {
            lines.close();
        }
        bytes.close();
    }

    private static final class CountingInputStream extends java.io.FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(new java.io.BufferedInputStream(in, 1 << 16));
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
