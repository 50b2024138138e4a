package dev.vigil.assess;

import dev.vigil.summarise.Dimension;

/**
 * A declared objective, as loaded from OpenSLO: which KPI series it judges and how.
 *
 * @param series  the KPI series whose minutes count (e.g. peer carrier-api)
 * @param service the OpenSLO service it belongs to
 * @param spec    indicator, target, period, budgeting and alert rules
 */
public record Objective(String name, String displayName, String service, Series series, ObjectiveLedger.Spec spec) {

    /** A KPI series: dimension, key, and for service-operation or process-activity optionally the name. */
    public record Series(Dimension dimension, String key, String name) {
    }
}
