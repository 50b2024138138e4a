package dev.vigil.batch.service;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The reference service's validation rule, the same on its validation endpoint and when it applies: a
 * record needs a non-empty {@code id} (its idempotency key); when it has an {@code amount}, that must be a
 * number of at least 0; when it has a {@code currency}, three capital letters.
 */
public final class Validation {

    private Validation() {
    }

    /** Why the record is invalid, or null when it is valid. */
    public static String problem(JsonNode record) {
        if (record == null || !record.isObject()) {
            return "a record is a JSON object";
        }
        JsonNode id = record.get("id");
        if (id == null || id.isNull() || id.asText().isEmpty()) {
            return "id is missing: each record needs an id (its idempotency key)";
        }
        JsonNode amount = record.get("amount");
        if (amount != null && !amount.isNull()) {
            double value;
            if (amount.isNumber()) {
                value = amount.asDouble();
            } else {
                try {
                    value = Double.parseDouble(amount.asText());
                } catch (NumberFormatException e) {
                    return "amount must be a number, not \"" + amount.asText() + "\"";
                }
            }
            if (!(value >= 0)) {
                return "amount must be at least 0, not " + amount.asText();
            }
        }
        JsonNode currency = record.get("currency");
        if (currency != null && !currency.isNull() && !currency.asText().matches("[A-Z]{3}")) {
            return "currency must be three capital letters (ISO 4217), not \"" + currency.asText() + "\"";
        }
        return null;
    }
}
