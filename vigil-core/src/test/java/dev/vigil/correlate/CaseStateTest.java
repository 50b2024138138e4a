package dev.vigil.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CaseStateTest {

    static final ProcessDef ORDERS = new ProcessDef("orders", List.of("Placed", "Paid", "Shipped"), null,
            Set.of("Shipped"), List.of("orderId"), 60_000_000L);

    @Test
    void aCaseIdIsTheOneEarlierVersionsStoredSoRestartsReplaceTheirCasesInsteadOfDuplicatingThem() {
        // Expected values from the id's definition (FNV-1a of process and first key, a 64-bit finaliser,
        // 16 lowercase hex digits), worked out apart from this code.
        CaseState c = new CaseState(0);
        c.add(2_000, 1, false, Correlator.composite("orderId", "o-1"));
        assertThat(c.id("orders")).isEqualTo("5f9b65b2c4720654");
        CaseState d = new CaseState(0);
        d.add(5, 0, false, Correlator.composite("orderId", "o42"));
        assertThat(d.id("w1-orders")).isEqualTo("c76cbc29977a6f6f");
    }

    @Test
    void thePathListsActivitiesByEventTimeThenActivityWhateverOrderTheyCameIn() {
        CaseState c = new CaseState(0);
        String key = Correlator.composite("orderId", "o-1");
        c.add(3_000, 2, false, key);
        c.add(1_000, 1, false, key);
        c.add(1_000, 0, true, key);
        c.add(2_000, 1, false, key);
        CaseRecord r = c.toRecord(ORDERS);
        assertThat(r.path()).containsExactly("Placed", "Paid", "Paid", "Shipped");
        assertThat(r.id()).isEqualTo(c.id("orders"));
    }
}
