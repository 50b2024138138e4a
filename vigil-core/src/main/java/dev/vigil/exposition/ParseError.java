package dev.vigil.exposition;

/** Why a line of an exposition was skipped: where (1-based line and column) and what is wrong. */
public record ParseError(int line, int column, String message) {

    @Override
    public String toString() {
        return "line " + line + ", column " + column + ": " + message;
    }
}
