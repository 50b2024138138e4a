package dev.vigil.config.yaml;

/** One problem in a configuration file, where it is and how to fix it; printed as {@code file:line:column: message}. */
public record ConfigError(String file, int line, int column, String message) {

    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + message;
    }
}
