package dev.vigil.server.api;

import dev.vigil.config.EstateDeclaration;
import dev.vigil.infra.FootprintMinute;
import dev.vigil.infra.ScrapeTarget;
import dev.vigil.store.OutputStore;
import dev.vigil.summarise.Dimension;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where services run, as the estate model knows it: the hosts spans name (after vigil.yaml's host aliases), busiest
 * first, then the hosts whose scrape targets carry a {@code service} label naming the service, then the hosts its
 * process groups were measured on.
 */
final class Placements {

    /** Per service, its hosts and how each is known: "spans", "scrape label" or "process metrics". */
    private final Map<String, Map<String, String>> byService;

    private Placements(Map<String, Map<String, String>> byService) {
        this.byService = byService;
    }

    static Placements read(OutputStore store, long fromMicros, long toMicros, EstateDeclaration estate,
                           List<ScrapeTarget> targets, List<FootprintMinute> measured) throws SQLException {
        Map<String, Map<String, String>> out = new TreeMap<>();
        store.series(Dimension.PLACEMENT, fromMicros, toMicros).stream()
                .sorted(Comparator.comparingLong((OutputStore.Series s) -> -s.count()).thenComparing(OutputStore.Series::name))
                .forEach(s -> out.computeIfAbsent(s.key(), k -> new LinkedHashMap<>())
                        .putIfAbsent(estate.host(s.name()), "spans"));
        for (ScrapeTarget t : targets) {
            String named = t.labels().get("service");
            if (named != null) {
                for (String service : named.split("\\s*,\\s*")) {
                    if (!service.isBlank()) {
                        out.computeIfAbsent(service, k -> new LinkedHashMap<>()).putIfAbsent(t.host(), "scrape label");
                    }
                }
            }
        }
        // A process group measured on a host (process exporter, OpenTelemetry process metrics) places its service there.
        for (FootprintMinute m : measured) {
            out.computeIfAbsent(estate.serviceOfGroup(m.group()), k -> new LinkedHashMap<>())
                    .putIfAbsent(m.host(), "process metrics");
        }
        return new Placements(out);
    }

    /** A service's hosts, busiest first, and how each is known. */
    Map<String, String> hostsOf(String service) {
        return byService.getOrDefault(service, Map.of());
    }

    /** Per host, the services placed on it and how each is known, services in name order. */
    Map<String, Map<String, String>> servicesOnHosts() {
        Map<String, Map<String, String>> out = new TreeMap<>();
        byService.forEach((service, hosts) -> hosts.forEach((h, how) ->
                out.computeIfAbsent(h, k -> new TreeMap<>()).put(service, how)));
        return out;
    }

    /** Per host, the services placed on it. */
    Map<String, Set<String>> servicesByHost() {
        Map<String, Set<String>> out = new TreeMap<>();
        servicesOnHosts().forEach((host, services) -> out.put(host, new TreeSet<>(services.keySet())));
        return out;
    }

    /** {@code "field": [{"<name>": ..., "knownFrom": "spans"}, ...]}: hosts of a service, or services of a host. */
    static void write(com.fasterxml.jackson.core.JsonGenerator g, String field, String name, Map<String, String> knownFrom)
            throws java.io.IOException {
        g.writeArrayFieldStart(field);
        for (Map.Entry<String, String> e : knownFrom.entrySet()) {
            g.writeStartObject();
            g.writeStringField(name, e.getKey());
            g.writeStringField("knownFrom", e.getValue());
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
