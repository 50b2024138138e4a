package dev.vigil.server.api;

import com.linecorp.armeria.common.QueryParams;
import dev.vigil.event.Timestamps;
import java.time.DateTimeException;
import java.util.List;
import java.util.Set;

/** Typed access to query parameters, with errors that name the parameter and what it accepts. */
final class Params {

    private final QueryParams params;

    Params(QueryParams params, Set<String> allowed) {
        this.params = params;
        for (String name : params.names()) {
            if (!allowed.contains(name)) {
                throw new BadParameter(name, "unknown parameter \"" + name + "\"; this endpoint takes "
                        + (allowed.isEmpty() ? "none" : String.join(", ", allowed.stream().sorted().toList())));
            }
        }
    }

    /**
     * For an endpoint that takes no parameter: the 400 naming one given anyway (a typo must not look like an answer),
     * or null when there is none.
     */
    static com.linecorp.armeria.common.HttpResponse refuseAny(com.linecorp.armeria.server.ServiceRequestContext ctx) {
        try {
            new Params(ctx.queryParams(), Set.of());
            return null;
        } catch (BadParameter e) {
            return dev.vigil.server.Json.error(com.linecorp.armeria.common.HttpStatus.BAD_REQUEST, "bad_parameter",
                    e.getMessage(), e.parameter);
        }
    }

    String text(String name) {
        List<String> all = params.getAll(name);
        if (all.size() > 1) {
            throw new BadParameter(name, "give \"" + name + "\" at most once");
        }
        String v = all.isEmpty() ? null : all.get(0);
        return v == null || v.isEmpty() ? null : v;
    }

    Long time(String name) {
        String v = text(name);
        if (v == null) {
            return null;
        }
        try {
            if (v.chars().allMatch(Character::isDigit)) {
                return Timestamps.fromEpochMillis(Long.parseLong(v));
            }
            return Timestamps.parseRfc3339(v);
        } catch (DateTimeException | NumberFormatException | ArithmeticException e) {
            throw new BadParameter(name, "\"" + name + "\" must be an RFC 3339 time (2026-11-21T10:15:30Z) or epoch "
                    + "milliseconds, not \"" + v + "\"");
        }
    }

    int integer(String name, int dflt, int min, int max) {
        String v = text(name);
        if (v == null) {
            return dflt;
        }
        try {
            int i = Integer.parseInt(v);
            if (i >= min && i <= max) {
                return i;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new BadParameter(name, "\"" + name + "\" must be an integer from " + min + " to " + max + ", not \"" + v + "\"");
    }

    /** A correlation key filter, {@code key=name:value}. */
    record KeyFilter(String name, String value) {
    }

    /** The {@code key} parameter as name and value, or null when absent. */
    KeyFilter key() {
        String key = text("key");
        if (key == null) {
            return null;
        }
        int colon = key.indexOf(':');
        if (colon <= 0 || colon == key.length() - 1) {
            throw new BadParameter("key", "\"key\" must be name:value, e.g. key=orderId:A-17, not \"" + key + "\"");
        }
        return new KeyFilter(key.substring(0, colon), key.substring(colon + 1));
    }

    /** The {@code order} parameter: true for {@code desc}, false for {@code asc} (the default). */
    boolean descending() {
        String order = text("order");
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            throw new BadParameter("order", "\"order\" must be asc (oldest first, the default) or desc, not \"" + order + "\"");
        }
        return "desc".equals(order);
    }
}
