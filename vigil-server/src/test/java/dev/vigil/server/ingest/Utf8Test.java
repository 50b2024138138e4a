package dev.vigil.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.testkit.Props;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Utf8Test {

    @Test
    void aByteRunIsWellFormedExactlyWhenTheJdksStrictDecoderTakesIt() {
        Props.forAll(3000, g -> {
            byte[] b = new byte[g.ints(0, 8)];
            for (int i = 0; i < b.length; i++) {
                // mostly bytes of multi-byte sequences, where the rules are
                b[i] = (byte) (g.chance(0.6) ? g.ints(0x80, 0xFF) : g.anyInt());
            }
            return b;
        }, b -> {
            boolean strict;
            try {
                StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b));
                strict = true;
            } catch (CharacterCodingException e) {
                strict = false;
            }
            assertThat(Utf8.firstInvalid(b, 0, b.length) < 0).as(HexFormat.of().formatHex(b)).isEqualTo(strict);
        });
    }
}
