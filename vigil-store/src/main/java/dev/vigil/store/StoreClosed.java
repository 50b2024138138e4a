package dev.vigil.store;

/** The journal is stopping or stopped and takes no more events. */
public final class StoreClosed extends RuntimeException {
    public StoreClosed(String message) {
        super(message, null, false, false);
    }
}
