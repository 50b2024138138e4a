// Times EventDecoder on a 1 MiB NDJSON body and the same events as a JSON array, in-process, against one jar:
//   java -cp vigil-app/target/vigil.jar bench/DecodeBench.java
// Prints the median and the range of 15 rounds (after 10 warm-up rounds) in MB/s for each format.
import dev.vigil.event.IngestPolicy;
import dev.vigil.server.ingest.EventDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

public class DecodeBench {
    public static void main(String[] args) throws Exception {
        StringBuilder nd = new StringBuilder();
        StringBuilder arr = new StringBuilder("[");
        long now = System.currentTimeMillis();
        int i = 0;
        while (nd.length() < (1 << 20)) {
            String e = "{\"time\":" + (now - i % 1000) + ",\"source\":\"billing-" + (i % 12) + "\",\"name\":\"CreateInvoice\","
                    + "\"kind\":\"call\",\"correlation\":{\"orderId\":\"A-" + i + "\"},\"outcome\":\"ok\",\"durationMs\":12.5,"
                    + "\"peer\":\"tax-gateway\",\"unit\":\"retail\",\"attributes\":{\"region\":\"eu\",\"retries\":2}}";
            nd.append(e).append('\n');
            arr.append(i == 0 ? "" : ",").append(e);
            i++;
        }
        arr.append(']');
        byte[][] bodies = {nd.toString().getBytes(StandardCharsets.UTF_8), arr.toString().getBytes(StandardCharsets.UTF_8)};
        EventDecoder d = new EventDecoder(IngestPolicy.DEFAULT);
        String[] names = {"ndjson", "json-array"};
        EventDecoder.Format[] formats = {EventDecoder.Format.NDJSON, EventDecoder.Format.JSON};
        for (int f = 0; f < 2; f++) {
            double[] mbs = new double[15];
            for (int round = -10; round < 15; round++) {
                long t = System.nanoTime();
                int n = 0;
                for (int k = 0; k < 20; k++) {
                    n += d.decode(bodies[f], bodies[f].length, formats[f], now * 1000).events().size();
                }
                double s = (System.nanoTime() - t) / 1e9;
                if (n != 20 * i) throw new IllegalStateException("decoded " + n + " of " + 20 * i);
                if (round >= 0) mbs[round] = 20.0 * bodies[f].length / 1e6 / s;
            }
            Arrays.sort(mbs);
            System.out.printf("%s: median %.1f MB/s (min %.1f, max %.1f), %d events per body%n", names[f], mbs[7], mbs[0], mbs[14], i);
        }
    }
}
