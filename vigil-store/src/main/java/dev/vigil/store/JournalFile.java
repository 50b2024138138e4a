package dev.vigil.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
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
 */
final class JournalFile implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JournalFile.class);
    private static final String SUFFIX = ".journal";

    private record Segment(Path path, long firstRecordNo) {
    }

    private final Path dir;
    private final long segmentBytes;
    private final List<Segment> sealed = new ArrayList<>();
    private Segment current;
    private FileChannel channel;
    private long lastRecordNo;

    private JournalFile(Path dir, long segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    /**
     * Opens the journal folder, hands every intact record to {@code replay} in order, and cuts off a torn
     * tail (a write the crash interrupted, never acknowledged).
     */
    static JournalFile open(Path dir, long segmentBytes, Consumer<JournalRecord> replay) throws IOException {
        Files.createDirectories(dir);
        JournalFile j = new JournalFile(dir, segmentBytes);
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
            if (validEnd < size) {
                if (i < segments.size() - 1) {
                    throw new IOException("journal segment " + s.path() + " is damaged at byte " + validEnd
                            + " and later segments exist; it was not torn by a crash. Keep a copy of the data folder "
                            + "and report this");
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
            j.channel = FileChannel.open(j.current.path(), StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
        return j;
    }

    private long scan(Segment s, Consumer<JournalRecord> replay) throws IOException {
        try (FileChannel ch = FileChannel.open(s.path(), StandardOpenOption.READ)) {
            long size = ch.size();
            long pos = 0;
            ByteBuffer header = ByteBuffer.allocate(JournalCodec.HEADER);
            while (pos + JournalCodec.HEADER <= size) {
                header.clear();
                ch.read(header, pos);
                int len = header.getInt(0);
                int crc = header.getInt(4);
                if (len <= 0 || pos + JournalCodec.HEADER + len > size) {
                    return pos;
                }
                ByteBuffer payload = ByteBuffer.allocate(len);
                while (payload.hasRemaining()) {
                    if (ch.read(payload, pos + JournalCodec.HEADER + payload.position()) < 0) {
                        return pos;
                    }
                }
                if (!JournalCodec.intact(payload.array(), crc)) {
                    return pos;
                }
                JournalRecord r = JournalCodec.decode(payload.array());
                lastRecordNo = Math.max(lastRecordNo, r.recordNo());
                replay.accept(r);
                pos += JournalCodec.HEADER + len;
            }
            return pos;
        }
    }

    /** The highest record number the journal holds, 0 when empty. */
    synchronized long lastRecordNo() {
        return lastRecordNo;
    }

    /** Writes and fsyncs one record. When this returns, the record survives a crash of the process or the machine. */
    synchronized void append(JournalRecord record) throws IOException {
        ByteBuffer buf = JournalCodec.encode(record);
        if (channel == null || channel.size() >= segmentBytes) {
            roll(record.recordNo());
        }
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        channel.force(false);
        lastRecordNo = record.recordNo();
    }

    private void roll(long firstRecordNo) throws IOException {
        if (channel != null) {
            channel.force(true);
            channel.close();
            sealed.add(current);
        }
        current = new Segment(dir.resolve(String.format("%020d%s", firstRecordNo, SUFFIX)), firstRecordNo);
        channel = FileChannel.open(current.path(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        // The new file's directory entry must be durable too, or a crash could lose the whole segment.
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a directory; the data itself is still forced.
        }
    }

    /** Deletes sealed segments whose every record is at or below {@code loadedRecordNo}, durably in the store. */
    synchronized void release(long loadedRecordNo) {
        for (int i = 0; i < sealed.size(); i++) {
            long nextFirst = i + 1 < sealed.size() ? sealed.get(i + 1).firstRecordNo() : current.firstRecordNo();
            if (nextFirst - 1 <= loadedRecordNo) {
                try {
                    Files.deleteIfExists(sealed.get(i).path());
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
