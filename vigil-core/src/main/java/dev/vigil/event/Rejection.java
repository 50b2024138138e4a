package dev.vigil.event;

/**
 * Why one item of a batch was refused. An error as a value: the sender can act on it.
 *
 * @param index  position of the item in the batch (NDJSON line or array element), from 0
 * @param field  the field at fault, or {@code null} when the item as a whole is unreadable
 * @param code   a stable category, counted in statistics
 * @param reason a sentence a person can act on
 */
public record Rejection(int index, String field, Code code, String reason) {

    /** Stable categories of rejection, counted per category in statistics. */
    public enum Code implements WireName {
        MALFORMED_JSON("malformed_json"),
        INVALID_UTF8("invalid_utf8"),
        NOT_AN_OBJECT("not_an_object"),
        MISSING_FIELD("missing_field"),
        WRONG_TYPE("wrong_type"),
        INVALID_VALUE("invalid_value"),
        TOO_LONG("too_long"),
        TIME_IN_FUTURE("time_in_future"),
        TIME_TOO_OLD("time_too_old"),
        // Appended last: the journal stores codes by ordinal.
        TOO_DEEP("too_deep");

        private final String wire;

        Code(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }
    }

    public Rejection withIndex(int newIndex) {
        return new Rejection(newIndex, field, code, reason);
    }
}
