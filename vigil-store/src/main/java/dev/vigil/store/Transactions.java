package dev.vigil.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One DuckDB transaction by explicit statements on an auto-commit connection. The JDBC driver's manual-commit
 * mode is not used: when DuckDB refuses a commit (no space for its write-ahead log), it has already ended the
 * transaction, the driver's rollback fails, and what follows on that connection (appender flushes included)
 * would commit statement by statement. With BEGIN before each unit of work, every retry is one transaction again.
 */
final class Transactions {

    interface Work {
        void run() throws SQLException;
    }

    private Transactions() {
    }

    /** Runs {@code work} in one transaction: all of it is committed, or none of it. */
    static void inOne(Connection conn, Work work) throws SQLException {
        execute(conn, "BEGIN TRANSACTION");
        try {
            work.run();
            execute(conn, "COMMIT");
        } catch (SQLException | RuntimeException e) {
            try {
                execute(conn, "ROLLBACK");
            } catch (SQLException alreadyEnded) {
                // A refused COMMIT has ended the transaction already.
            }
            throw e;
        }
    }

    private static void execute(Connection conn, String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }
}
