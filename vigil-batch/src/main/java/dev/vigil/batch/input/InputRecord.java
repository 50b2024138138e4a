package dev.vigil.batch.input;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One record of the input: its position (0-based, in file order), its idempotency key, and its fields, or
 * the reason it could not be read (then {@code fields} is null and it goes straight to the reject file).
 */
public record InputRecord(long index, String key, ObjectNode fields, String unreadable) {

    public boolean readable() {
        return unreadable == null;
    }
}
