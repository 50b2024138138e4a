package dev.vigil.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CaseStateTest {

    static final ProcessDef ORDERS = new ProcessDef("orders", List.of("Placed", "Paid", "Shipped"), null,
            Set.of("Shipped"), List.of("orderId"), 60_000_000L);

    @Test
    void aCaseIdIsAHashOfItsProcessAndItsEarliestEventsKeyAndTime() {
        // Expected values from the id's definition (FNV-1a of the process, the first key and the earliest event's
        // time as 8 big-endian bytes, a 64-bit finaliser, 16 lowercase hex digits), worked out apart from this code.
        CaseState c = new CaseState(0);
        c.add(2_000, 1, false, Correlator.composite("orderId", "o-1"));
        assertThat(c.id("orders")).isEqualTo("43a1f5b09314882c");
        CaseState d = new CaseState(0);
        d.add(5, 0, false, Correlator.composite("orderId", "o42"));
        assertThat(d.id("w1-orders")).isEqualTo("267ab0b61b593494");
        // The same order seen again after its first case was forgotten: a case of its own, under an id of its own.
        CaseState again = new CaseState(0);
        again.add(9_000, 2, false, Correlator.composite("orderId", "o-1"));
        assertThat(again.id("orders")).isEqualTo("45719dac02d26bf8");
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
