package dev.vigil.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead journal: append-only segment files named by the number of the first record they hold.
 * A group is acknowledged once {@link #append} returned, i.e. after its bytes are written and fsync'd.
 * Segments are deleted once the store holds (durably) every record they contain.
 *
 * <p>A write that fails (a full disk, an I/O error, a failed fsync) leaves the segment as it was before it:
 * the bytes it wrote are cut off again before anything else is appended, so an acknowledged record never
 * follows unacknowledged bytes. Should the cut itself fail, the next append repairs the segment first and
 * is refused until it can.
 */
final class JournalFile implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JournalFile.class);
    private static final String SUFFIX = ".journal";

    private record Segment(Path path, long firstRecordNo) {
    }

    /** How segment files are opened: {@link FileChannel#open} but in tests, which inject faults (a full disk). */
    interface Opener {
        FileChannel open(Path path, OpenOption... options) throws IOException;
    }

    private final Path dir;
    private final long segmentBytes;
    private final Opener opener;
    private final List<Segment> sealed = new ArrayList<>();
    private Segment current;
    private FileChannel channel;
    private long lastRecordNo;
    /** The bytes of every segment still on disk: what readers that lag (the event table's loader) have to read. */
    private volatile long retainedBytes;
    /** The length the current segment must be cut back to before the next append, or -1: a failed cut. */
    private long repairTo = -1;

    private JournalFile(Path dir, long segmentBytes, Opener opener) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.opener = opener;
    }

    /**
     * Opens the journal folder, hands every intact record to {@code replay} in order, and cuts off a torn
     * tail (a write the crash interrupted, never acknowledged).
     */
    static JournalFile open(Path dir, long segmentBytes, Consumer<JournalRecord> replay) throws IOException {
        return open(dir, segmentBytes, replay, FileChannel::open);
    }

    static JournalFile open(Path dir, long segmentBytes, Consumer<JournalRecord> replay, Opener opener)
            throws IOException {
        Files.createDirectories(dir);
        JournalFile j = new JournalFile(dir, segmentBytes, opener);
        List<Segment> segments = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                try {
                    segments.add(new Segment(p, Long.parseLong(name.substring(0, name.length() - SUFFIX.length()))));
                } catch (NumberFormatException e) {
                    throw new IOException("unexpected file in the journal folder: " + p + " (move it away)");
                }
            }
        }
        segments.sort((a, b) -> Long.compare(a.firstRecordNo(), b.firstRecordNo()));
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            long validEnd = j.scan(s, replay);
            long size = Files.size(s.path());
            j.retainedBytes += Math.min(size, validEnd);
            if (validEnd < size) {
                if (i < segments.size() - 1) {
                    // Bytes after the last record of a sealed segment: a write that failed before the journal
                    // rolled on (an older Vigil did not cut failed writes off). No record was acknowledged there.
                    LOG.warn("{} ends in {} bytes that hold no record (a failed write); they are ignored",
                            s.path(), size - validEnd);
                    continue;
                }
                LOG.warn("cutting a torn write ({} bytes) off the end of {}: it was never acknowledged",
                        size - validEnd, s.path());
                try (FileChannel ch = FileChannel.open(s.path(), StandardOpenOption.WRITE)) {
                    ch.truncate(validEnd);
                    ch.force(true);
                }
            }
        }
        if (!segments.isEmpty()) {
            j.sealed.addAll(segments.subList(0, segments.size() - 1));
            j.current = segments.get(segments.size() - 1);
            j.channel = opener.open(j.current.path(), StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
        return j;
    }

    /**
     * Hands every intact record of a segment to {@code replay}; returns where the last one ends. Bytes that hold
     * no record are skipped when an intact record follows them: a failed write an older Vigil left in place,
     * with acknowledged records after it. Only a damaged tail with nothing intact after it is left for the
     * caller to cut.
     */
    private long scan(Segment s, Consumer<JournalRecord> replay) throws IOException {
        try (FileChannel ch = FileChannel.open(s.path(), StandardOpenOption.READ)) {
            long size = ch.size();
            long pos = 0;
            long end = 0;
            while (pos + JournalCodec.HEADER <= size) {
                JournalRecord r = readAt(ch, pos, size, lastRecordNo, JournalCodec.Attributes.NONE);
                if (r == null) {
                    long next = nextRecordAfter(ch, pos + 1, size, lastRecordNo);
                    if (next < 0) {
                        return end;
                    }
                    LOG.warn("{}: skipping {} bytes at offset {} that hold no record (a failed write)", s.path(),
                            next - pos, pos);
                    pos = next;
                    continue;
                }
                lastRecordNo = Math.max(lastRecordNo, r.recordNo());
                replay.accept(r);
                pos += JournalCodec.HEADER + frameLength(ch, pos);
                end = pos;
            }
            return end;
        }
    }

    private static int frameLength(FileChannel ch, long pos) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        readFully(ch, header, pos);
        return header.getInt(0);
    }

    /** The intact record whose frame starts at {@code pos} and newer than {@code after}, or null. */
    private static JournalRecord readAt(FileChannel ch, long pos, long size, long after, JournalCodec.Attributes parse)
            throws IOException {
        ByteBuffer header = ByteBuffer.allocate(JournalCodec.HEADER + JournalCodec.PREFIX);
        if (pos + header.capacity() > size || !readFully(ch, header, pos)) {
            return null;
        }
        int len = header.getInt(0);
        int crc = header.getInt(4);
        if (len < JournalCodec.PREFIX || pos + JournalCodec.HEADER + len > size
                || !JournalCodec.plausible(header.array(), JournalCodec.HEADER, after)) {
            return null;
        }
        ByteBuffer payload = ByteBuffer.allocate(len);
        if (!readFully(ch, payload, pos + JournalCodec.HEADER) || !JournalCodec.intact(payload.array(), crc)) {
            return null;
        }
        return JournalCodec.decode(payload.array(), parse);
    }

    /** The offset of the next intact record newer than {@code after} from byte {@code from}, or -1. */
    private static long nextRecordAfter(FileChannel ch, long from, long size, long after) throws IOException {
        // Read in windows; a candidate must first pass the cheap checks (version, next record number) before
        // its checksum is computed, so skipping megabytes of zeros costs a scan, not a CRC per byte.
        int window = 1 << 20;
        ByteBuffer buf = ByteBuffer.allocate(window + JournalCodec.HEADER + JournalCodec.PREFIX);
        for (long base = from; base + JournalCodec.HEADER <= size; base += window) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), size - base));
            readFully(ch, buf, base);
            byte[] a = buf.array();
            int n = buf.limit() - JournalCodec.HEADER - JournalCodec.PREFIX;
            for (int i = 0; i <= Math.min(n, window - 1); i++) {
                if (JournalCodec.plausible(a, i + JournalCodec.HEADER, after) && readAt(ch, base + i, size, after, JournalCodec.Attributes.NONE) != null) {
                    return base + i;
                }
            }
        }
        return -1;
    }

    private static boolean readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Numbers the next record after {@code recordNo} (what the event table holds, when the files are empty). */
    synchronized void continueAfter(long recordNo) {
        lastRecordNo = Math.max(lastRecordNo, recordNo);
    }

    /** The highest record number the journal holds, 0 when empty. */
    synchronized long lastRecordNo() {
        return lastRecordNo;
    }

    /**
     * Writes and fsyncs one record. When this returns, the record survives a crash of the process or the
     * machine. When it throws, the journal is as it was before the call (or is repaired by the next call
     * before it writes anything).
     */
    synchronized void append(JournalRecord record) throws IOException {
        repair();
        ByteBuffer buf = JournalCodec.encode(record);
        if (channel == null || channel.size() >= segmentBytes) {
            roll(record.recordNo());
        }
        long start = channel.size();
        try {
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
        } catch (IOException e) {
            cutBack(start, e);
            throw e;
        }
        lastRecordNo = record.recordNo();
        retainedBytes += JournalCodec.HEADER + buf.getInt(0);
    }

    /** Bytes of the segments still on disk; without the lock, so that appenders never wait for a write's fsync. */
    long retainedBytes() {
        return retainedBytes;
    }

    /** The first record the segments still on disk hold (lastRecordNo + 1 when none is left). */
    synchronized long firstRetainedRecordNo() {
        if (!sealed.isEmpty()) {
            return sealed.get(0).firstRecordNo();
        }
        return current != null ? current.firstRecordNo() : lastRecordNo + 1;
    }

    /** The segment holding record {@code recordNo}, or null when it was released (or is not written yet). */
    private synchronized Segment segmentOf(long recordNo) {
        Segment found = null;
        for (Segment s : sealed) {
            if (s.firstRecordNo() <= recordNo) {
                found = s;
            }
        }
        if (current != null && current.firstRecordNo() <= recordNo) {
            found = current;
        }
        return recordNo > lastRecordNo ? null : found;
    }

    /** The segment after {@code s}, or null. */
    private synchronized Segment segmentAfter(Segment s) {
        for (Segment t : sealed) {
            if (t.firstRecordNo() > s.firstRecordNo()) {
                return t;
            }
        }
        return current != null && current.firstRecordNo() > s.firstRecordNo() ? current : null;
    }

    /** Thrown when a reader asks for records whose segment was released: read them from the event table. */
    static final class Released extends IOException {
        Released(long recordNo) {
            super("journal record " + recordNo + " is no longer in the journal's files");
        }
    }

    /**
     * Reads records in order from the segment files, for a reader that has fallen behind what the journal keeps in
     * memory. One thread per cursor. It reads only records the caller says are acknowledged, so never a write in
     * progress or one that failed and is cut off.
     */
    final class Cursor implements AutoCloseable {
        private Segment segment;
        private FileChannel channel;
        private long offset;
        /** The last record this cursor returned (or was placed after). */
        private long position;
        private final JournalCodec.Attributes parse;

        Cursor(long after, JournalCodec.Attributes parse) {
            this.position = after;
            this.parse = parse;
        }

        long position() {
            return position;
        }

        /**
         * The records after the last one returned, up to {@code upTo} (acknowledged), about {@code maxEvents}
         * events and at least one record.
         *
         * @throws Released when the next record's segment is no longer on disk
         */
        List<JournalRecord> read(long upTo, int maxEvents) throws IOException {
            List<JournalRecord> out = new ArrayList<>();
            int events = 0;
            while (position < upTo && (out.isEmpty() || events < maxEvents)) {
                JournalRecord r = next();
                out.add(r);
                events += r.events().size();
                position = r.recordNo();
            }
            return out;
        }

        private JournalRecord next() throws IOException {
            long wanted = position + 1;
            if (channel == null) {
                open(wanted);
            }
            while (true) {
                long size = channel.size();
                // Any record number here: the segment's records before the position are read and skipped.
                JournalRecord r = offset + JournalCodec.HEADER <= size ? readAt(channel, offset, size, 0, parse) : null;
                if (r != null && r.recordNo() <= position) {
                    offset += JournalCodec.HEADER + frameLength(channel, offset); // before the position: skip
                    continue;
                }
                if (r != null && r.recordNo() == wanted) {
                    offset += JournalCodec.HEADER + frameLength(channel, offset);
                    return r;
                }
                Segment after = segmentAfter(segment);
                if (after != null && after.firstRecordNo() <= wanted) {
                    // The rest of this segment holds no record (the end, or bytes a failed write left).
                    switchTo(after);
                    continue;
                }
                if (r == null && offset + JournalCodec.HEADER < size) {
                    long next = nextRecordAfter(channel, offset + 1, size, position);
                    if (next >= 0) {
                        offset = next;
                        continue;
                    }
                }
                throw new IOException("journal record " + wanted + " cannot be read from " + segment.path());
            }
        }

        private void open(long recordNo) throws IOException {
            Segment s = segmentOf(recordNo);
            if (s == null) {
                throw new Released(recordNo);
            }
            switchTo(s);
        }

        private void switchTo(Segment s) throws IOException {
            closeChannel();
            try {
                channel = FileChannel.open(s.path(), StandardOpenOption.READ);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new Released(position + 1);
            }
            segment = s;
            offset = 0;
        }

        private void closeChannel() throws IOException {
            if (channel != null) {
                channel.close();
                channel = null;
            }
        }

        @Override
        public void close() throws IOException {
            closeChannel();
        }
    }

    /** Cuts a failed write off; should that fail too, the next append must do it before writing. */
    private void cutBack(long length, IOException cause) {
        try {
            channel.truncate(length);
            channel.force(true);
        } catch (IOException e) {
            cause.addSuppressed(e);
            repairTo = length;
            try {
                channel.close();
            } catch (IOException ignored) {
                // the channel is given up either way
            }
            channel = null;
        }
    }

    /** Brings the current segment back to its last acknowledged record after a cut that failed. */
    private void repair() throws IOException {
        if (repairTo < 0) {
            return;
        }
        FileChannel ch = opener.open(current.path(), StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        try {
            ch.truncate(repairTo);
            ch.force(true);
        } catch (IOException e) {
            ch.close();
            throw new IOException("the journal segment " + current.path() + " could not be cut back to its last "
                    + "acknowledged record: " + e.getMessage(), e);
        }
        channel = ch;
        repairTo = -1;
        LOG.info("journal segment {} repaired: a failed write was cut off", current.path());
    }

    /** Checks that a small write and fsync succeed in the journal folder (a full disk has space again). */
    synchronized void probe() throws IOException {
        repair();
        Path probe = dir.resolve("probe.tmp");
        try (FileChannel ch = opener.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    private void roll(long firstRecordNo) throws IOException {
        Segment next = new Segment(dir.resolve(String.format("%020d%s", firstRecordNo, SUFFIX)), firstRecordNo);
        // An empty segment left by a write that failed right after a roll is reused: same first record.
        FileChannel opened = opener.open(next.path(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        if (channel != null) {
            try {
                channel.force(true);
                channel.close();
            } catch (IOException e) {
                opened.close();
                throw e;
            }
            if (!current.path().equals(next.path())) {
                sealed.add(current);
            }
        }
        current = next;
        channel = opened;
        // The new file's directory entry must be durable too, or a crash could lose the whole segment.
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a directory; the data itself is still forced.
        }
    }

    /**
     * Deletes sealed segments whose every record is at or below {@code loadedRecordNo}: every reader that holds the
     * journal (the event table, the pipeline's checkpoint) has it durably elsewhere.
     */
    synchronized void release(long loadedRecordNo) {
        for (int i = 0; i < sealed.size(); i++) {
            long nextFirst = i + 1 < sealed.size() ? sealed.get(i + 1).firstRecordNo() : current.firstRecordNo();
            if (nextFirst - 1 <= loadedRecordNo) {
                try {
                    long size = Files.size(sealed.get(i).path());
                    Files.deleteIfExists(sealed.get(i).path());
                    retainedBytes -= size;
                } catch (IOException e) {
                    LOG.warn("could not delete released journal segment {}: {}", sealed.get(i).path(), e.getMessage());
                    return;
                }
                sealed.remove(i);
                i--;
            } else {
                return;
            }
        }
    }

    /** Once the store holds everything: the journal is empty again. */
    synchronized void releaseAll() throws IOException {
        close();
        for (Segment s : sealed) {
            Files.deleteIfExists(s.path());
        }
        sealed.clear();
        if (current != null) {
            Files.deleteIfExists(current.path());
            current = null;
        }
        retainedBytes = 0;
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.force(true);
            channel.close();
            channel = null;
        }
    }
}
