package dev.vigil.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A growable big-endian byte buffer with an allocation-free UTF-8 path for the mostly-ASCII texts of events. */
final class ByteSink {

    private byte[] buf;
    private int pos;

    ByteSink(int initial) {
        buf = new byte[Math.max(64, initial)];
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }

    int position() {
        return pos;
    }

    void putByte(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    void putShort(int v) {
        ensure(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    void putInt(int v) {
        ensure(4);
        putIntAt(pos, v);
        pos += 4;
    }

    void putIntAt(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }

    /** An int byte length (-1 for null) and the UTF-8 bytes. */
    void putString(String s) {
        if (s == null) {
            putInt(-1);
            return;
        }
        int n = s.length();
        if (n > 24) {
            // Long texts (attributes' JSON): the JDK's encoder copies an ASCII string's bytes in bulk, where the
            // loop below takes a char at a time (most of the journal writer's time under span ingest).
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            ensure(4 + b.length);
            putInt(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
            return;
        }
        ensure(4 + n);
        int lenAt = pos;
        pos += 4;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                // Not ASCII: encode the whole string the slow way.
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                pos = lenAt + 4;
                ensure(b.length);
                System.arraycopy(b, 0, buf, pos, b.length);
                pos += b.length;
                putIntAt(lenAt, b.length);
                return;
            }
            buf[pos++] = (byte) c;
        }
        putIntAt(lenAt, n);
    }

    ByteBuffer toBuffer() {
        return ByteBuffer.wrap(buf, 0, pos);
    }

    byte[] array() {
        return buf;
    }
}
