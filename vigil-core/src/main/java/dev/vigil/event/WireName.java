package dev.vigil.event;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** A closed set whose members have a stable name on the wire and in the store. */
public interface WireName {

    String wire();

    /** The member named {@code text} (any case), or empty. */
    static <E extends Enum<E> & WireName> Optional<E> parse(E[] members, String text) {
        String t = text.toLowerCase(Locale.ROOT);
        for (E m : members) {
            if (m.wire().equals(t)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** The names, for messages that say what is allowed: "ok, error, timeout". */
    static <E extends Enum<E> & WireName> String list(E[] members) {
        return Arrays.stream(members).map(WireName::wire).collect(Collectors.joining(", "));
    }
}
