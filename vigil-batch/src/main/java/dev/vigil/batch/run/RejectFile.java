package dev.vigil.batch.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The records a run could not apply, one JSON object per line: position, key, the reason, and the record
 * as read (absent when it could not be read). Resuming cuts the file back to its length at the checkpoint,
 * so a record rejected after it is written once, when it is rejected again.
 */
final class RejectFile implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    private long written;

    RejectFile(Path file, long keepBytes) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        channel.truncate(keepBytes);
        this.written = Math.min(keepBytes, channel.size());
        channel.position(written);
    }

    synchronized void reject(long index, String key, ObjectNode record, String reason) throws IOException {
        ObjectNode line = JSON.createObjectNode().put("index", index).put("key", key).put("reason", reason);
        if (record != null) {
            line.set("record", record);
        }
        byte[] bytes = (JSON.writeValueAsString(line) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length > buffer.remaining()) {
            drain();
        }
        if (bytes.length > buffer.capacity()) {
            channel.write(ByteBuffer.wrap(bytes));
        } else {
            buffer.put(bytes);
        }
        written += bytes.length;
    }

    /** Writes out and forces what was rejected so far; returns the file's length, for the checkpoint. */
    synchronized long sync() throws IOException {
        drain();
        channel.force(false);
        return written;
    }

    private void drain() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    @Override
    public synchronized void close() throws IOException {
        drain();
        channel.close();
    }
}
