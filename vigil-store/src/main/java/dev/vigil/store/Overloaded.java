package dev.vigil.store;

/** The journal has more events waiting to commit than it accepts; the sender should retry later. */
public final class Overloaded extends RuntimeException {
    public Overloaded(String message) {
        super(message, null, false, false);
    }
}
