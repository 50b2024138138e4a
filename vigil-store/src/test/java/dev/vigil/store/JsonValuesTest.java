package dev.vigil.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonValuesTest {

    /** Characters JSON must escape, and ones it must not, mixed at every position. */
    private static final String ALPHABET = "ab\"\\\u0000\u001f\n\té€😀 /";

    private static String text(Random random) {
        StringBuilder b = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    @Test
    void attributesReadBackAsWrittenWhateverCharactersAndScalarsTheyHold() {
        long seed = Long.getLong("vigil.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < 2_000; round++) {
            Map<String, Object> attributes = new LinkedHashMap<>();
            for (int i = random.nextInt(6) + 1; i > 0; i--) {
                Object value = switch (random.nextInt(5)) {
                    case 0 -> random.nextLong();
                    case 1 -> random.nextBoolean();
                    case 2 -> List.of(text(random), random.nextInt(100));
                    default -> text(random);
                };
                attributes.put(text(random), value);
            }
            Map<String, Object> back;
            try {
                back = JsonValues.readObject(JsonValues.write(attributes));
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " (-Dvigil.seed=" + seed + " replays it), round " + round
                        + ": " + attributes + " -> " + e.getMessage(), e);
            }
            Map<String, Object> expected = new LinkedHashMap<>();
            // JSON numbers come back as the smallest Java type that holds them
            attributes.forEach((k, v) -> expected.put(k, v instanceof Long n && n == n.intValue() ? (Object) n.intValue() : v));
            assertThat(back).as("seed %d (-Dvigil.seed=%d replays it), round %d", seed, seed, round)
                    .containsExactlyEntriesOf(expected);
        }
    }
}
