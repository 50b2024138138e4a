package dev.vigil.config;

import dev.vigil.correlate.Processes;
import dev.vigil.interpret.SourceRules;
import dev.vigil.order.LatenessPolicy;
import dev.vigil.assess.Contract;
import dev.vigil.assess.Objective;
import java.util.List;
import java.util.Map;

/**
 * Everything vigil.yaml declares: how each source's events are read, which business processes exist, and
 * how the pipeline treats time.
 *
 * @param origin            the file it came from, or "(defaults)"
 * @param partitions        pipeline partitions (threads), 0 for one per core
 * @param checkpointEveryMillis how often operator state is written to the store
 * @param objectives        the objectives of the OpenSLO files vigil.yaml names
 * @param contracts         the contracts (Vigil's OpenSLO extension) in those files
 * @param webhooks          where alert notifications go (Alertmanager webhook format)
 * @param spanKeys          business keys spans carry: a correlation key's name to the span (or resource)
 *                          attributes that may hold it, tried in order ({@code orderId: [order.id]})
 * @param scrapes           the Prometheus-style endpoints to scrape (node exporters and others)
 * @param pairWithinMicros  how long, in event time, a span waits for the other end of its call ({@code telemetry.pairWithin})
 * @param estate            declared interactions and host aliases ({@code estate})
 */
public record VigilConfig(String origin, LatenessPolicy lateness, int partitions, long checkpointEveryMillis,
                          Map<String, SourceRules> sources, Processes processes, List<Objective> objectives,
                          List<Contract> contracts, List<String> webhooks, Map<String, List<String>> spanKeys,
                          List<dev.vigil.infra.ScrapeTarget> scrapes, long pairWithinMicros,
                          EstateDeclaration estate) {

    public static final VigilConfig DEFAULT = new VigilConfig("(defaults)", LatenessPolicy.DEFAULT, 0, 30_000L,
            Map.of(), Processes.NONE, List.of(), List.of(), List.of(), Map.of(), List.of(),
            dev.vigil.link.Linker.DEFAULT_WAIT_MICROS, EstateDeclaration.NONE);

    public VigilConfig {
        sources = Map.copyOf(sources);
        objectives = List.copyOf(objectives);
        contracts = List.copyOf(contracts);
        webhooks = List.copyOf(webhooks);
        // keeps the file's order: the first key found names a span's case first
        java.util.LinkedHashMap<String, List<String>> keys = new java.util.LinkedHashMap<>();
        spanKeys.forEach((k, v) -> keys.put(k, List.copyOf(v)));
        spanKeys = java.util.Collections.unmodifiableMap(keys);
        scrapes = List.copyOf(scrapes);
    }

    /** The same configuration with these scrape targets. */
    public VigilConfig withScrapes(List<dev.vigil.infra.ScrapeTarget> targets) {
        return new VigilConfig(origin, lateness, partitions, checkpointEveryMillis, sources, processes, objectives, contracts,
                webhooks, spanKeys, targets, pairWithinMicros, estate);
    }

    /** The partitions to run: as configured, or one per core. */
    public int partitionsFor(int cores) {
        return partitions > 0 ? partitions : Math.max(1, cores);
    }
}
