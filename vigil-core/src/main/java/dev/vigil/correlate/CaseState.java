package dev.vigil.correlate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The working state of one case inside a correlator: compact (arrays, not event objects) because a
 * million of them may be open at once. Owned by one correlator (all of a process's cases are in one correlate
 * instance: cases never move between instances).
 */
public final class CaseState {

    final int process;
    /** Correlation keys as "name\0value", in the order they joined. */
    final ArrayList<String> keys = new ArrayList<>(2);
    long[] times = new long[4];
    short[] acts = new short[4];
    int size;
    int failed;
    boolean completed;
    CaseStatus status = CaseStatus.OPEN;
    long firstMicros = Long.MAX_VALUE;
    long lastMicros = Long.MIN_VALUE;
    /** The earliest event (time, activity, first key) names the case; see {@link #id}. */
    long idTime = Long.MAX_VALUE;
    int idAct = Integer.MAX_VALUE;
    String idKey;
    /** The id the store has it under, or null when never written. */
    String writtenId;
    boolean dirty;
    boolean alive = true;
    /** Merged into another case or moved to another correlator: this object speaks for nothing any more. */
    boolean absorbed;

    CaseState(int process) {
        this.process = process;
    }

    void add(long time, int act, boolean isFailed, String firstKey) {
        append(time, act, isFailed);
        considerForId(time, act, firstKey);
    }

    private void append(long time, int act, boolean isFailed) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            acts = Arrays.copyOf(acts, size * 2);
        }
        times[size] = time;
        acts[size] = (short) act;
        size++;
        if (isFailed) {
            failed++;
        }
        firstMicros = Math.min(firstMicros, time);
        lastMicros = Math.max(lastMicros, time);
    }

    void considerForId(long time, int act, String key) {
        if (time < idTime || (time == idTime && (act < idAct || (act == idAct && key.compareTo(idKey) < 0)))) {
            idTime = time;
            idAct = act;
            idKey = key;
        }
    }

    /** Takes over everything of another case of the same process. */
    void absorb(CaseState o) {
        for (int i = 0; i < o.size; i++) {
            append(o.times[i], o.acts[i], false);
        }
        failed += o.failed;
        completed |= o.completed;
        considerForId(o.idTime, o.idAct, o.idKey);
    }

    /**
     * The case id: a hash of the process and the earliest event's key and time, as 16 hex digits. The time is in it
     * because a key outlives its case: an order stuck and forgotten, then seen again, makes a second case with the
     * same first key, and with the key alone the second overwrote the first in the store (and which one was left
     * depended on the order the two were written in, so a replay after a crash could leave the other).
     */
    private static final java.util.HexFormat HEX = java.util.HexFormat.of();

    String id(String processName) {
        long h = fnv(0xcbf29ce484222325L, processName);
        h = fnv(h ^ 0x1F, idKey);
        h ^= 0x2F;
        for (int shift = 56; shift >= 0; shift -= 8) {
            h ^= (idTime >>> shift) & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        // The same 16 lowercase digits as "%016x", without parsing a format string for every emitted case.
        return HEX.toHexDigits(h);
    }

    private static long fnv(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /**
     * The events' indices by time, then activity. An insertion sort of primitive indices: a case holds a
     * handful of events, mostly arrived in order, and this runs for every emitted case.
     */
    private int[] pathOrder() {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            int j = i;
            while (j > 0 && before(i, order[j - 1])) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        return order;
    }

    private boolean before(int a, int b) {
        return times[a] != times[b] ? times[a] < times[b] : acts[a] < acts[b];
    }

    CaseRecord toRecord(ProcessDef def) {
        List<String> path = new ArrayList<>(size);
        for (int i : pathOrder()) {
            path.add(def.activities().get(acts[i]));
        }
        java.util.TreeMap<String, List<String>> byName = new java.util.TreeMap<>();
        for (String k : keys) {
            int z = k.indexOf('\0');
            byName.computeIfAbsent(k.substring(0, z), n -> new ArrayList<>()).add(k.substring(z + 1));
        }
        byName.values().forEach(v -> v.sort(null));
        return new CaseRecord(id(def.name()), def.name(), status, failed > 0 ? "error" : "ok", firstMicros, lastMicros,
                List.copyOf(path), java.util.Collections.unmodifiableMap(byName), size, failed);
    }

    void write(DataOutput out) throws IOException {
        out.writeInt(process);
        out.writeInt(keys.size());
        for (String k : keys) {
            out.writeUTF(k);
        }
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeLong(times[i]);
            out.writeShort(acts[i]);
        }
        out.writeInt(failed);
        out.writeBoolean(completed);
        out.writeByte(status.ordinal());
        out.writeLong(idTime);
        out.writeInt(idAct);
        out.writeUTF(idKey);
        out.writeBoolean(writtenId != null);
        if (writtenId != null) {
            out.writeUTF(writtenId);
        }
        out.writeBoolean(dirty);
    }

    static CaseState read(DataInput in) throws IOException {
        CaseState s = new CaseState(in.readInt());
        int nk = in.readInt();
        for (int i = 0; i < nk; i++) {
            s.keys.add(in.readUTF());
        }
        int n = in.readInt();
        s.times = new long[Math.max(4, n)];
        s.acts = new short[Math.max(4, n)];
        for (int i = 0; i < n; i++) {
            s.times[i] = in.readLong();
            s.acts[i] = in.readShort();
            s.firstMicros = Math.min(s.firstMicros, s.times[i]);
            s.lastMicros = Math.max(s.lastMicros, s.times[i]);
        }
        s.size = n;
        s.failed = in.readInt();
        s.completed = in.readBoolean();
        s.status = CaseStatus.values()[in.readByte()];
        s.idTime = in.readLong();
        s.idAct = in.readInt();
        s.idKey = in.readUTF();
        s.writtenId = in.readBoolean() ? in.readUTF() : null;
        s.dirty = in.readBoolean();
        return s;
    }
}
