package dev.vigil.query;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Where a page of events ended: the (event time, sequence) of its last event. Pages are ordered by that
 * pair, which is unique, so a cursor never skips or repeats an event, even while new events arrive.
 * On the wire it is opaque: clients pass back what they were given.
 */
public record PageCursor(long timeMicros, long seq, boolean newestFirst) {

    private static final String VERSION = "v1";

    public String encode() {
        String raw = VERSION + ':' + timeMicros + ':' + seq + ':' + (newestFirst ? 'd' : 'a');
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.US_ASCII));
    }

    /** Decodes a cursor given back by a client, or empty when it is not one of ours. */
    public static Optional<PageCursor> decode(String token) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
            String[] parts = raw.split(":", -1);
            if (parts.length != 4 || !parts[0].equals(VERSION) || !(parts[3].equals("a") || parts[3].equals("d"))) {
                return Optional.empty();
            }
            return Optional.of(new PageCursor(Long.parseLong(parts[1]), Long.parseLong(parts[2]), parts[3].equals("d")));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
