package dev.vigil.batch.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordReaderTest {

    @TempDir
    Path dir;

    static List<InputRecord> all(Path f) throws Exception {
        List<InputRecord> out = new ArrayList<>();
        try (RecordReader r = new RecordReader(f, RecordReader.Format.of(f))) {
            r.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void csvRowsBecomeRecordsByTheHeaderAndARowWithTheWrongFieldCountIsUnreadableNotFatal() throws Exception {
        Path f = dir.resolve("in.csv");
        Files.writeString(f, "id,customer,amount\nA1,\"Smith, J\",10\nA2,Jones\n,Lee,7\n");

        List<InputRecord> rs = all(f);

        assertThat(rs).hasSize(3);
        assertThat(rs.get(0).fields().toString()).isEqualTo("{\"id\":\"A1\",\"customer\":\"Smith, J\",\"amount\":\"10\"}");
        assertThat(rs.get(0).key()).isEqualTo("A1");
        assertThat(rs.get(1).readable()).isFalse();
        assertThat(rs.get(1).unreadable()).isEqualTo("line 3: 2 fields, the header has 3");
        // No id: the key is the file and the position, and the record carries it to the service.
        assertThat(rs.get(2).key()).isEqualTo("in.csv#2");
        assertThat(rs.get(2).fields().get("id").asText()).isEqualTo("in.csv#2");
        assertThat(rs).extracting(InputRecord::index).containsExactly(0L, 1L, 2L);
    }

    @Test
    void ndjsonLinesThatAreNotObjectsAreUnreadableWithTheLineAndTheRestGoOn() throws Exception {
        Path f = dir.resolve("in.ndjson");
        Files.writeString(f, "{\"id\":\"X\"}\n\n[1,2]\n{oops\n{\"amount\":3}\n");

        List<InputRecord> rs = all(f);

        assertThat(rs).extracting(InputRecord::readable).containsExactly(true, false, false, true);
        assertThat(rs.get(1).unreadable()).isEqualTo("line 3: a record is a JSON object, not array");
        assertThat(rs.get(2).unreadable()).startsWith("line 4: not JSON");
        assertThat(rs.get(3).key()).isEqualTo("in.ndjson#3");
    }

    @Test
    void aLineLongerThanTheLimitIsUnreadableAndTheNextOneIsRead() throws Exception {
        Path f = dir.resolve("huge.ndjson");
        try (var w = Files.newBufferedWriter(f)) {
            w.write("{\"id\":\"A\",\"blob\":\"");
            char[] chunk = new char[1 << 20];
            java.util.Arrays.fill(chunk, 'x');
            for (int i = 0; i < RecordReader.MAX_LINE_CHARS / chunk.length + 1; i++) {
                w.write(chunk);
            }
            w.write("\"}\r\n{\"id\":\"B\"}\r\n");
        }

        List<InputRecord> rs = all(f);

        assertThat(rs).hasSize(2);
        assertThat(rs.get(0).unreadable()).isEqualTo("line 1: longer than 16 MiB; a record is one line of JSON (is this NDJSON?)");
        assertThat(rs.get(1).key()).isEqualTo("B");
    }
}
