package dev.vigil.store;

import java.sql.SQLException;

/**
 * The store cannot take writes or answer reads for now (a full disk, an I/O error), and is trying again by
 * itself: the caller should retry later. Nothing of a refused append was stored.
 */
public final class StoreUnavailable extends SQLException {

    /** Seconds a client should wait before trying again. */
    public static final int RETRY_AFTER_SECONDS = 5;

    public StoreUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
