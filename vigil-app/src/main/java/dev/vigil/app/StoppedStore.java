package dev.vigil.app;

import dev.vigil.store.EventStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/** The store of a stopped Vigil, opened in place by the commands that read or rewrite it (report, rebuild). */
final class StoppedStore {

    private StoppedStore() {
    }

    /**
     * Opens the store in {@code data}.
     *
     * @param ifMissing what else the user can do when there is no store there
     * @param ifRunning what to do when a running Vigil holds it (one process at a time opens a DuckDB database)
     */
    static EventStore open(Path data, String ifMissing, String ifRunning) throws SQLException {
        Path dir = data.toAbsolutePath().normalize();
        if (!Files.exists(dir.resolve(EventStore.FILE_NAME))) {
            throw new SQLException("no Vigil data folder at " + dir + " (no " + EventStore.FILE_NAME
                    + "): give the --data folder the server used" + ifMissing);
        }
        try {
            return EventStore.open(dir, EventStore.Options.DEFAULT);
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("lock")) {
                throw new SQLException("a running Vigil holds " + dir + ": " + ifRunning, e);
            }
            throw e;
        }
    }
}
