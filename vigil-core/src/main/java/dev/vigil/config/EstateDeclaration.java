package dev.vigil.config;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What vigil.yaml's {@code estate} section says of the estate, to hold against what is observed.
 *
 * @param interactions who may call whom: a service to the services, databases, queues and suppliers it calls;
 *                     empty when nothing is declared (then no edge is judged)
 * @param hostAliases  a host name as one source gives it to the name Vigil uses (the scrape target's), for hosts
 *                     whose names differ between sources (a span's {@code host.name} against a node exporter's)
 * @param processGroups a process exporter's group name to the service whose processes it groups; a group not
 *                      named here is the service of its own name
 * @param weights      a service's weight on a host it shares with others that no process exporter measures: its
 *                     estimated share of the host's use is its weight over the sum of theirs (1 when not declared)
 * @param transactions a service to the process whose cases are its business transactions: its footprint is also
 *                     given per case of that process ("0.8 CPU-ms per order")
 */
public record EstateDeclaration(Map<String, List<String>> interactions, Map<String, String> hostAliases,
                                Map<String, String> processGroups, Map<String, Double> weights,
                                Map<String, String> transactions) {

    public static final EstateDeclaration NONE = new EstateDeclaration(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

    public EstateDeclaration {
        java.util.TreeMap<String, List<String>> calls = new java.util.TreeMap<>();
        interactions.forEach((k, v) -> calls.put(k, List.copyOf(v)));
        interactions = java.util.Collections.unmodifiableMap(calls);
        hostAliases = Map.copyOf(hostAliases);
        processGroups = Map.copyOf(processGroups);
        weights = Map.copyOf(weights);
        transactions = Map.copyOf(transactions);
    }

    /** A service's weight in the estimate of its share of a host (1 unless declared). */
    public double weight(String service) {
        return weights.getOrDefault(service, 1.0);
    }

    /** The service a process group is of. */
    public String serviceOfGroup(String group) {
        return processGroups.getOrDefault(group, group);
    }

    /** Whether any interaction is declared: only then is an observed edge "declared" or "not declared". */
    public boolean declaresInteractions() {
        return !interactions.isEmpty();
    }

    /** Whether {@code caller} is declared to call {@code callee}. */
    public boolean declared(String caller, String callee) {
        return interactions.getOrDefault(caller, List.of()).contains(callee);
    }

    /** The name Vigil uses for a host a source named so. */
    public String host(String named) {
        return hostAliases.getOrDefault(named, named);
    }

    /** Every declared (caller, callee) pair, in order. */
    public Set<List<String>> pairs() {
        Set<List<String>> out = new java.util.LinkedHashSet<>();
        interactions.forEach((caller, callees) -> callees.forEach(c -> out.add(List.of(caller, c))));
        return out;
    }
}
