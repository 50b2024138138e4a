package dev.vigil.server.ingest;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Inflates a gzip request body up to a limit: a zip bomb costs at most that much memory. */
public final class Gunzip {

    private Gunzip() {
    }

    /** A body as bytes in use: the first {@code length} of {@code bytes}. */
    public record Body(byte[] bytes, int length) {
    }

    /** The body, once decompressed, is larger than the limit. */
    public static final class TooLarge extends IOException {
        TooLarge() {
            super(null, null);
        }
    }

    /**
     * @throws TooLarge    when the inflated body exceeds {@code maxBytes}
     * @throws IOException when the body is not valid gzip (the message says how)
     */
    public static Body inflate(byte[] compressed, int length, long maxBytes) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed, 0, length), 8192)) {
            byte[] buf = new byte[(int) Math.min(Math.max(length * 4L, 8192), maxBytes + 1)];
            int n = 0;
            while (true) {
                if (n == buf.length) {
                    if (buf.length > maxBytes) {
                        throw new TooLarge();
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min(buf.length * 2L, maxBytes + 1));
                }
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
            return new Body(buf, n);
        } catch (ZipException | EOFException e) {
            throw new IOException(e.getMessage() == null ? "truncated or corrupt" : e.getMessage());
        }
    }
}
