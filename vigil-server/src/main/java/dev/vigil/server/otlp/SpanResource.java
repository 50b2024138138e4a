package dev.vigil.server.otlp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A span's resource (the service that emitted it, where it ran), read once per {@code ResourceSpans} rather than
 * once per span: the service name, the unit, and the attributes kept on each event.
 *
 * @param attributes all its attributes (business keys may be found there)
 * @param service    {@code service.name}, or {@code null} when missing or blank
 * @param unit       {@code vigil.unit}, or {@code null}
 * @param kept       the attributes that place a service, kept on each event ({@link #KEPT}), in that order
 */
record SpanResource(Map<String, Object> attributes, String service, String unit, List<Map.Entry<String, Object>> kept) {

    /** The resource attribute that names a service's business unit (OTEL_RESOURCE_ATTRIBUTES=vigil.unit=retail). */
    static final String UNIT_ATTRIBUTE = "vigil.unit";

    /** Resource attributes kept on each event: where the service ran. Others (process, SDK) are left out. */
    static final List<String> KEPT = List.of("service.namespace", "service.version", "service.instance.id", "host.name",
            "host.id", "container.id", "k8s.pod.uid", "k8s.pod.name", "k8s.namespace.name", "deployment.environment",
            "deployment.environment.name");

    static SpanResource of(Map<String, Object> attributes) {
        String service = attributes.get("service.name") instanceof String s && !s.isBlank() ? s : null;
        String unit = attributes.get(UNIT_ATTRIBUTE) instanceof String u && !u.isBlank() ? u : null;
        List<Map.Entry<String, Object>> kept = new ArrayList<>();
        for (String key : KEPT) {
            Object v = attributes.get(key);
            if (v != null) {
                kept.add(Map.entry(key, v));
            }
        }
        return new SpanResource(attributes, service, unit, List.copyOf(kept));
    }
}
