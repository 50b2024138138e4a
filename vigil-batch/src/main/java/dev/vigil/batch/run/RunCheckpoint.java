package dev.vigil.batch.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A run's progress on disk: which records are done, how long the reject file was, and the counts so far.
 * Written to a temporary file, forced to disk and renamed over the last one, so a SIGKILL leaves either the
 * old checkpoint or the new one, never half of one.
 *
 * @param input       the input file, its size and modification time: a checkpoint resumes only its own input
 * @param target      the service the records went to
 * @param doneBelow   every record before this position is done
 * @param doneAbove   records after it that are done too
 * @param rejectBytes the reject file's length when the checkpoint was taken (what comes after is cut off)
 * @param counts      applied, duplicates, rejected, retries, calls so far
 */
record RunCheckpoint(String input, long inputSize, long inputModified, String target, long doneBelow, long[] doneAbove,
                     long rejectBytes, Counts counts) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Optional<RunCheckpoint> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + " is not a checkpoint of vigil batch (" + e.getMessage()
                    + "); remove it or pass --fresh to start over", e);
        }
        List<Long> above = new ArrayList<>();
        n.path("doneAbove").forEach(x -> above.add(x.asLong()));
        JsonNode c = n.path("counts");
        return Optional.of(new RunCheckpoint(n.path("input").asText(), n.path("inputSize").asLong(),
                n.path("inputModified").asLong(), n.path("target").asText(), n.path("doneBelow").asLong(),
                above.stream().mapToLong(Long::longValue).toArray(), n.path("rejectBytes").asLong(),
                new Counts(c.path("applied").asLong(), c.path("duplicates").asLong(), c.path("rejected").asLong(),
                        c.path("retries").asLong(), c.path("calls").asLong())));
    }

    void write(Path file) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("input", input).put("inputSize", inputSize).put("inputModified", inputModified).put("target", target)
                .put("doneBelow", doneBelow).put("rejectBytes", rejectBytes);
        ArrayNode a = n.putArray("doneAbove");
        for (long x : doneAbove) {
            a.add(x);
        }
        n.putObject("counts").put("applied", counts.applied()).put("duplicates", counts.duplicates())
                .put("rejected", counts.rejected()).put("retries", counts.retries()).put("calls", counts.calls());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (var ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(n)));
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Counts that add up over a run and its resumptions. */
    record Counts(long applied, long duplicates, long rejected, long retries, long calls) {
        static final Counts ZERO = new Counts(0, 0, 0, 0, 0);
    }
}
