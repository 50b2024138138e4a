package dev.vigil.config.yaml;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration file with problems: all of them, in file order, so one run shows everything to fix. */
public final class InvalidConfig extends Exception {

    private final List<ConfigError> errors;

    public InvalidConfig(List<ConfigError> errors) {
        super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")), null, false, false);
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
