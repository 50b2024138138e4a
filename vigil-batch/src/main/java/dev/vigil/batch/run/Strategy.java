package dev.vigil.batch.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a run sends its records: how many per request, how many requests at once, whether records stream
 * in one chunked NDJSON request, and whether a validation pass comes first. Written as parts joined by
 * {@code +} (or {@code ,} in {@code --strategy}): {@code per-record}, {@code chunk:N}, {@code parallel:C},
 * {@code stream:N}, {@code validate-then-load} (the service's validation endpoint) or
 * {@code validate-then-load:local} (the same rules, checked here), {@code throttle:R} (at most R records/s,
 * requests on a fixed schedule) and {@code adaptive[:P99]} (the rate follows the online probe: down when
 * its p99 passes P99, default 200ms, up while it stays below). Unnamed parts take their defaults: one
 * record per request, one request at a time, no rate limit.
 *
 * @param chunk    records per request (1: one call per record, to the single-record endpoint)
 * @param parallel requests in flight at once
 * @param stream   records go as NDJSON with chunked transfer to the stream endpoint, {@code chunk} per request
 * @param validate how records are checked before loading: none, by the service, or locally
 * @param rate     records per second at most (0: as fast as answers come); with {@code adaptive}, the start
 * @param adaptiveP99Millis online p99 the rate adapts to keep under (0: fixed rate)
 */
public record Strategy(int chunk, int parallel, boolean stream, Validate validate, double rate, double adaptiveP99Millis) {

    public Strategy(int chunk, int parallel, boolean stream, Validate validate) {
        this(chunk, parallel, stream, validate, 0, 0);
    }

    /** The validation pass before loading. */
    public enum Validate {
        NONE, SERVICE, LOCAL
    }

    public static final Strategy PER_RECORD = new Strategy(1, 1, false, Validate.NONE);

    public Strategy {
        if (chunk < 1 || chunk > 1_000_000) {
            throw new IllegalArgumentException("records per request must be 1..1000000, not " + chunk);
        }
        if (parallel < 1 || parallel > 4096) {
            throw new IllegalArgumentException("requests in flight must be 1..4096, not " + parallel);
        }
        if (rate < 0 || adaptiveP99Millis < 0) {
            throw new IllegalArgumentException("rates and latency objectives are positive");
        }
    }

    public boolean throttled() {
        return rate > 0 || adaptiveP99Millis > 0;
    }

    /** Parses one strategy; the message of a bad one says which part and what is allowed. */
    public static Strategy parse(String spec) {
        String s = spec.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty strategy: say e.g. per-record, chunk:100, chunk:100+parallel:8");
        }
        int chunk = 1;
        int parallel = 1;
        boolean stream = false;
        Validate validate = Validate.NONE;
        double rate = 0;
        double adaptive = 0;
        boolean sized = false;
        for (String raw : s.split("[+,]")) {
            String part = raw.trim().toLowerCase(Locale.ROOT);
            String name = part.contains(":") ? part.substring(0, part.indexOf(':')) : part;
            String arg = part.contains(":") ? part.substring(part.indexOf(':') + 1) : null;
            switch (name) {
                case "per-record" -> {
                    noArg(part, arg);
                    chunk = 1;
                    sized = true;
                }
                case "chunk", "batch" -> {
                    chunk = number(part, arg, 1_000_000);
                    sized = true;
                }
                case "parallel" -> parallel = number(part, arg, 4096);
                case "stream" -> {
                    stream = true;
                    if (arg != null) {
                        chunk = number(part, arg, 1_000_000);
                    } else if (!sized) {
                        chunk = 10_000;
                    }
                    sized = true;
                }
                case "validate-then-load" -> validate = switch (arg == null ? "service" : arg) {
                    case "service" -> Validate.SERVICE;
                    case "local" -> Validate.LOCAL;
                    default -> throw new IllegalArgumentException("in \"" + spec + "\": validate-then-load takes "
                            + "service (the default: the service's validation endpoint) or local, not " + arg);
                };
                case "throttle" -> rate = number(part, arg == null ? null : arg.replaceFirst("/s$", ""), 100_000_000);
                case "adaptive" -> {
                    try {
                        adaptive = arg == null ? 200 : dev.vigil.config.Durations.parse(arg).toNanos() / 1e6;
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("\"" + part + "\": the online p99 to keep under is a duration, "
                                + "e.g. adaptive:200ms");
                    }
                    if (adaptive <= 0) {
                        throw new IllegalArgumentException("\"" + part + "\": the online p99 must be more than 0");
                    }
                }
                default -> throw new IllegalArgumentException("in \"" + spec + "\": unknown part \"" + raw.trim()
                        + "\"; parts are per-record, chunk:N, parallel:C, stream[:N], validate-then-load[:local], "
                        + "throttle:R, adaptive[:P99], joined by +");
            }
        }
        return new Strategy(chunk, parallel, stream, validate, rate, adaptive);
    }

    /** Several strategies, separated by commas; inside one, parts are joined by {@code +}. */
    public static List<Strategy> parseList(String specs) {
        List<Strategy> out = new ArrayList<>();
        for (String s : specs.split(",")) {
            out.add(parse(s));
        }
        return out;
    }

    private static void noArg(String part, String arg) {
        if (arg != null) {
            throw new IllegalArgumentException("\"" + part + "\" takes no number");
        }
    }

    private static int number(String part, String arg, int max) {
        if (arg == null) {
            throw new IllegalArgumentException("\"" + part + "\" needs a number, e.g. " + part + ":100");
        }
        try {
            int n = Integer.parseInt(arg);
            if (n < 1 || n > max) {
                throw new IllegalArgumentException("\"" + part + "\": the number must be 1.." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + part + "\": \"" + arg + "\" is not a whole number");
        }
    }

    /** The canonical spelling, which {@link #parse} reads back to the same strategy. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (validate == Validate.SERVICE) {
            parts.add("validate-then-load");
        } else if (validate == Validate.LOCAL) {
            parts.add("validate-then-load:local");
        }
        if (stream) {
            parts.add("stream:" + chunk);
        } else {
            parts.add(chunk == 1 ? "per-record" : "chunk:" + chunk);
        }
        if (parallel > 1) {
            parts.add("parallel:" + parallel);
        }
        if (rate > 0) {
            parts.add("throttle:" + (long) rate);
        }
        if (adaptiveP99Millis > 0) {
            parts.add("adaptive:" + dev.vigil.config.Durations.format(java.time.Duration.ofNanos((long) (adaptiveP99Millis * 1e6))));
        }
        return String.join("+", parts);
    }
}
