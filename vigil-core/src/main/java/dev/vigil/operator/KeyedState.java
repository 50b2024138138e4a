package dev.vigil.operator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state of one stage, key by key: what {@link Operator#snapshot} writes and {@link Operator#restore} reads,
 * and which runtime instance owns a key.
 */
public final class KeyedState {

    /** Receives a snapshot's entries. */
    @FunctionalInterface
    public interface Sink {
        void put(String key, byte[] state);
    }

    private final TreeMap<String, byte[]> entries = new TreeMap<>();

    public Sink sink() {
        return (key, state) -> {
            if (entries.put(key, state) != null) {
                throw new IllegalStateException("two instances wrote state for key '" + key + "'");
            }
        };
    }

    public Map<String, byte[]> entries() {
        return entries;
    }

    /** Restores into {@code instances[i]} the entries whose key routes to instance i of {@code instances.length}. */
    public void restoreInto(Operator<?, ?>[] instances) {
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            instances[instanceOf(e.getKey(), instances.length)].restore(e.getKey(), e.getValue());
        }
    }

    /**
     * Which of {@code instances} owns a key: a hash fixed by this code (not by the JVM, not by the platform), so
     * the same key goes to the same instance in every run, in the one-thread pipeline and in the runtime alike.
     */
    public static int instanceOf(String key, int instances) {
        if (instances == 1) {
            return 0;
        }
        // String.hashCode is specified by the language; the mixing spreads keys that differ only at the end.
        int h = key.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return Math.floorMod(h, instances);
    }

    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(entries.size());
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
                out.writeInt(k.length);
                out.write(k);
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("writing into memory cannot fail", e);
        }
    }

    public static KeyedState fromBytes(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            KeyedState s = new KeyedState();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String key = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
                s.entries.put(key, in.readNBytes(in.readInt()));
            }
            return s;
        } catch (IOException e) {
            throw new IllegalArgumentException("not keyed state: " + e.getMessage(), e);
        }
    }

    /** Writes a snapshot's entry: the helper operators use, so that none writes by hand what all write alike. */
    public static byte[] write(Writer w) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            w.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("writing into memory cannot fail", e);
        }
    }

    /** Reads a snapshot's entry; a damaged one names its key. */
    public static void read(String key, byte[] state, Reader r) {
        try {
            r.read(new DataInputStream(new ByteArrayInputStream(state)));
        } catch (IOException e) {
            throw new IllegalArgumentException("the state of key '" + key + "' is damaged: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    public interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    @FunctionalInterface
    public interface Reader {
        void read(DataInputStream in) throws IOException;
    }
}
