package dev.vigil.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuoteTest {

    @Test
    void aValueStaysOnOneLineWithEveryInvisibleCharacterEscaped() {
        assertThat(Quote.value("call\nactivity\n")).isEqualTo("\"call\\nactivity\\n\"");
        assertThat(Quote.value("a\tb\rc")).isEqualTo("\"a\\tb\\rc\"");
        assertThat(Quote.value("say \"hi\" \\o/")).isEqualTo("\"say \\\"hi\\\" \\\\o/\"");
        assertThat(Quote.value("\u0000\u0007\u001b[31m\u0085\u2028\u202e\ufeff\u00a0"))
                .isEqualTo("\"\\u0000\\u0007\\u001B[31m\\u0085\\u2028\\u202E\\uFEFF\\u00A0\"");
        assertThat(Quote.value("lone \ud800 surrogate, pair \ud83d\ude00")).isEqualTo("\"lone \\uD800 surrogate, pair \ud83d\ude00\"");
        assertThat(Quote.value("Zürich 東京")).isEqualTo("\"Zürich 東京\"");
    }

    @Test
    void aLongValueIsCutWithItsLength() {
        assertThat(Quote.value("x".repeat(80))).isEqualTo("\"" + "x".repeat(80) + "\"");
        assertThat(Quote.value("x".repeat(28598))).isEqualTo("\"" + "x".repeat(60) + "…\" (28598 characters)");
        // Never half a surrogate pair.
        assertThat(Quote.value("x".repeat(59) + "\ud83d\ude00".repeat(20))).isEqualTo("\"" + "x".repeat(59) + "…\" (99 characters)");
    }

    @Test
    void aPlainNameStandsAsItIsAnyOtherIsQuoted() {
        assertThat(Quote.name("order-to-cash")).isEqualTo("order-to-cash");
        assertThat(Quote.name("$.order.id")).isEqualTo("\"$.order.id\"");
        assertThat(Quote.name("order\nto-cash")).isEqualTo("\"order\\nto-cash\"");
        assertThat(Quote.name("")).isEqualTo("\"\"");
    }
}
