package dev.vigil.store;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The pipeline's last checkpoint: operator state and the journal record it covers, in one file replaced
 * atomically (write aside, fsync, rename, fsync the folder) and checked by CRC32C, so a crash at any moment
 * leaves either the previous checkpoint or the new one, never half of one.
 */
public final class CheckpointFile {

    private static final int MAGIC = 0x5647_4350; // "VGCP"
    /** 2 since state is kept stage by stage and key by key; a version 1 file is read as "rebuild from the journal". */
    private static final int VERSION = 2;
    public static final String NAME = "pipeline.checkpoint";

    /**
     * @param recordNo    every journal record up to this one is in the state
     * @param fingerprint what the state was made under (processes, lateness); a different configuration cannot
     *                    continue from it
     * @param state       the pipeline's state, as the runtime wrote it
     */
    public record Checkpoint(long recordNo, String fingerprint, byte[] state) {
    }

    /** What an older Vigil's checkpoint reads as: a fingerprint no configuration has, so the journal is replayed. */
    public static final String OLDER_FORMAT = "(an older checkpoint format)";

    private CheckpointFile() {
    }

    public static void write(Path dir, Checkpoint c) throws IOException {
        Files.createDirectories(dir);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(c.recordNo());
        out.writeUTF(c.fingerprint());
        blob(out, c.state());
        out.flush();
        CRC32C crc = new CRC32C();
        byte[] body = bytes.toByteArray();
        crc.update(body);
        Path tmp = dir.resolve(NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(body);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ByteBuffer tail = ByteBuffer.allocate(8).putLong(crc.getValue()).flip();
            while (tail.hasRemaining()) {
                ch.write(tail);
            }
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** The checkpoint in {@code dir}, or empty when there is none. A damaged file is an error, not "none". */
    public static Optional<Checkpoint> read(Path dir) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(dir.resolve(NAME));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (all.length < 16) {
            throw new IOException(dir.resolve(NAME) + " is truncated");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 8);
        if (crc.getValue() != ByteBuffer.wrap(all, all.length - 8, 8).getLong()) {
            throw new IOException(dir.resolve(NAME) + " fails its checksum");
        }
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all, 0, all.length - 8));
        if (in.readInt() != MAGIC) {
            throw new IOException(dir.resolve(NAME) + " is not a Vigil checkpoint");
        }
        int version = in.readInt();
        long record = in.readLong();
        if (version < VERSION) {
            return Optional.of(new Checkpoint(record, OLDER_FORMAT, new byte[0]));
        }
        if (version > VERSION) {
            throw new IOException(dir.resolve(NAME) + " was written by a newer Vigil (checkpoint format " + version
                    + "); run that version, or delete the file to rebuild KPIs and cases from the journal");
        }
        String fingerprint = in.readUTF();
        return Optional.of(new Checkpoint(record, fingerprint, blob(in)));
    }

    private static void blob(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] blob(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }
}
