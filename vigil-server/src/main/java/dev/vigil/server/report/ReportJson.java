package dev.vigil.server.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.assess.Contract;
import dev.vigil.assess.PeriodReport;
import dev.vigil.server.Json;
import java.io.IOException;
import dev.vigil.event.Timestamps;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** A contract report as JSON (docs/API.md): times in ISO-8601 with the period zone's offset. */
public final class ReportJson {

    private ReportJson() {
    }

    public static byte[] render(ContractReport r) {
        return Json.bytes(g -> write(g, r));
    }

    static void write(JsonGenerator g, ContractReport r) throws IOException {
        ZoneId zone = r.period().zone();
        g.writeStartObject();
        g.writeStringField("period", r.period().label());
        g.writeStringField("zone", zone.getId());
        g.writeStringField("start", time(r.period().startMicros(), zone));
        g.writeStringField("end", time(r.period().endMicros(), zone));
        g.writeStringField("generatedAt", time(r.generatedAtMicros(), zone));
        g.writeArrayFieldStart("contracts");
        for (ContractReport.Section s : r.sections()) {
            Contract c = s.contract();
            g.writeStartObject();
            contract(g, c);
            g.writeBooleanField("met", s.met());
            g.writeArrayFieldStart("objectives");
            for (PeriodReport.Result o : s.results()) {
                objective(g, c, o, zone);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void objective(JsonGenerator g, Contract c, PeriodReport.Result o, ZoneId zone) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", o.objective().name());
        if (o.objective().displayName() != null) {
            g.writeStringField("displayName", o.objective().displayName());
        }
        if (o.objective().service() != null) {
            g.writeStringField("service", o.objective().service());
        }
        g.writeNumberField("targetPercent", 100 * o.objective().spec().target());
        number(g, "achievedPercent", 100 * o.achieved());
        g.writeStringField("verdict", o.verdict());
        g.writeBooleanField("met", o.met());
        g.writeBooleanField("periodClosed", o.closed());
        g.writeObjectFieldStart("units");
        g.writeNumberField("good", o.units().good());
        g.writeNumberField("total", o.units().total());
        g.writeStringField("counted", ReportText.unitsCounted(o));
        g.writeEndObject();
        g.writeObjectFieldStart("budget");
        g.writeNumberField("total", o.budgetTotal());
        g.writeNumberField("consumed", o.budgetConsumed());
        number(g, "spentPercent", 100 * o.budgetSpentShare());
        g.writeEndObject();
        Contract.PenaltyBand band = o.hasData() ? c.bandReached(o.objective().name(), 100 * o.achieved()) : null;
        penaltyBand(g, band);
        String unit = ReportText.readingUnit(o);
        g.writeArrayFieldStart("breaches");
        for (PeriodReport.Breach b : o.breaches()) {
            g.writeStartObject();
            g.writeStringField("start", time(b.startMicros(), zone));
            g.writeStringField("end", time(b.endMicros(), zone));
            g.writeNumberField("minutes", b.minutes());
            number(g, "worst", ReportText.readingValue(o, b.worst()));
            g.writeStringField("worstUnit", unit);
            g.writeNumberField("events", b.tally().total());
            g.writeNumberField("badEvents", b.tally().bad());
            number(g, "budgetConsumed", b.budgetConsumed());
            number(g, "budgetSpentPercent", 100 * o.budgetSpentShare(b));
            g.writeBooleanField("notable", o.isNotable(b));
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("costliestHours");
        for (PeriodReport.Spend s : o.costliest()) {
            g.writeStartObject();
            g.writeStringField("start", time(s.startMicros(), zone));
            g.writeStringField("end", time(s.endMicros(), zone));
            g.writeNumberField("consumed", s.consumed());
            number(g, "budgetPercent", 100 * s.shareOfBudget());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("daily");
        for (PeriodReport.Step st : o.path()) {
            g.writeStartObject();
            g.writeStringField("end", time(st.endMicros(), zone));
            number(g, "achievedPercent", 100 * st.achieved());
            number(g, "budgetSpentPercent", 100 * st.budgetSpentShare());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** A contract's own fields, as the contracts and reports endpoints both show them. */
    public static void contract(JsonGenerator g, Contract c) throws IOException {
        g.writeStringField("name", c.name());
        if (c.displayName() != null) {
            g.writeStringField("displayName", c.displayName());
        }
        g.writeStringField(c.external() ? "supplier" : "provider", c.party());
        if (c.unit() != null) {
            g.writeStringField("unit", c.unit());
        }
        if (c.notes() != null) {
            g.writeStringField("notes", c.notes());
        }
    }

    /** The penalty band reached, when one is. */
    public static void penaltyBand(JsonGenerator g, Contract.PenaltyBand band) throws IOException {
        if (band != null) {
            g.writeObjectFieldStart("penaltyBand");
            g.writeNumberField("below", band.belowPercent());
            g.writeStringField("consequence", band.consequence());
            g.writeEndObject();
        }
    }

    static String time(long micros, ZoneId zone) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Timestamps.toInstant(micros).atZone(zone).toOffsetDateTime());
    }

    private static void number(JsonGenerator g, String field, double v) throws IOException {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, v);
        }
    }
}
