package dev.vigil.server.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.assess.Objective;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.event.Timestamps;
import java.util.Locale;

/**
 * An alert change in the Prometheus Alertmanager webhook format (version 4), so that anything that takes
 * Alertmanager's webhooks (chat bridges, paging, ticketing) takes Vigil's.
 */
final class AlertmanagerPayload {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AlertmanagerPayload() {
    }

    static String of(Objective o, ObjectiveLedger.Transition t, long firingSince) {
        String status = t.firing() ? "firing" : "resolved";
        ObjectNode labels = JSON.createObjectNode()
                .put("alertname", "ErrorBudgetBurn")
                .put("objective", o.name())
                .put("severity", t.rule().severity())
                .put("rule", t.rule().id());
        if (o.service() != null) {
            labels.put("service", o.service());
        }
        ObjectNode alert = JSON.createObjectNode().put("status", status);
        alert.set("labels", labels);
        alert.putObject("annotations")
                .put("summary", String.format(Locale.ROOT, "%s burns its error budget %.1fx too fast (%s)", o.name(),
                        t.longBurn(), t.rule().severity()))
                .put("description", String.format(Locale.ROOT, "burn rate %.2f over %d min and %.2f over %d min, "
                                + "threshold %.2f", t.longBurn(), t.rule().longMicros() / 60_000_000L, t.shortBurn(),
                        t.rule().shortMicros() / 60_000_000L, t.rule().factor()));
        alert.put("startsAt", Timestamps.format(firingSince));
        alert.put("endsAt", t.firing() ? "0001-01-01T00:00:00Z" : Timestamps.format(t.atMicros()));
        alert.put("generatorURL", "/api/v1/objectives");
        alert.put("fingerprint", Integer.toHexString((o.name() + "/" + t.rule().id()).hashCode()));
        ObjectNode root = JSON.createObjectNode().put("version", "4").put("groupKey", "vigil:" + o.name())
                .put("truncatedAlerts", 0).put("status", status).put("receiver", "vigil");
        root.putObject("groupLabels").put("objective", o.name());
        root.set("commonLabels", labels.deepCopy());
        root.putObject("commonAnnotations");
        root.put("externalURL", "");
        root.putArray("alerts").add(alert);
        return root.toString();
    }
}
