package dev.vigil.correlate;

/** What the correlator tells the store: a case to write, or an id that no longer names a case. */
public sealed interface CaseChange permits CaseChange.Updated, CaseChange.Retired {

    /** A new or changed case. */
    record Updated(CaseRecord record) implements CaseChange {
    }

    /** Two cases turned out to be one; the id one of them was written under is gone. */
    record Retired(String id) implements CaseChange {
    }
}
