package dev.vigil.server.report;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.vigil.assess.Contract;
import dev.vigil.assess.PeriodReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A contract report as one CSV table for spreadsheets: a row per objective, then a row per breach
 * interval and per costliest hour of it, told apart by the {@code record} column; empty cells where a
 * column does not apply.
 */
public final class ReportCsv {

    static final List<String> COLUMNS = List.of("record", "period", "contract", "party_role", "party", "unit", "objective",
            "target_percent", "achieved_percent", "verdict", "units_counted", "good", "total", "budget_total",
            "budget_consumed", "budget_spent_percent", "penalty_below_percent", "penalty_consequence", "start", "end",
            "minutes", "worst", "worst_unit");
    private static final CsvMapper CSV = new CsvMapper();

    private ReportCsv() {
    }

    public static byte[] render(ContractReport r) {
        CsvSchema.Builder b = CsvSchema.builder();
        COLUMNS.forEach(b::addColumn);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (SequenceWriter w = CSV.writer(b.build().withHeader()).writeValues(out)) {
            for (ContractReport.Section s : r.sections()) {
                Contract c = s.contract();
                for (PeriodReport.Result o : s.results()) {
                    String[] base = row();
                    set(base, "period", r.period().label());
                    set(base, "contract", c.name());
                    set(base, "party_role", c.external() ? "supplier" : "provider");
                    set(base, "party", c.party());
                    set(base, "unit", c.unit());
                    set(base, "objective", o.objective().name());
                    set(base, "target_percent", num(100 * o.objective().spec().target()));
                    String[] summary = base.clone();
                    set(summary, "record", "objective");
                    set(summary, "achieved_percent", num(100 * o.achieved()));
                    set(summary, "verdict", o.verdict());
                    set(summary, "units_counted", ReportText.unitsCounted(o));
                    set(summary, "good", num(o.units().good()));
                    set(summary, "total", num(o.units().total()));
                    set(summary, "budget_total", num(o.budgetTotal()));
                    set(summary, "budget_consumed", num(o.budgetConsumed()));
                    set(summary, "budget_spent_percent", num(100 * o.budgetSpentShare()));
                    Contract.PenaltyBand band = o.hasData() ? c.bandReached(o.objective().name(), 100 * o.achieved()) : null;
                    if (band != null) {
                        set(summary, "penalty_below_percent", num(band.belowPercent()));
                        set(summary, "penalty_consequence", band.consequence());
                    }
                    w.write(summary);
                    for (PeriodReport.Breach br : o.breaches()) {
                        String[] row = base.clone();
                        set(row, "record", "breach");
                        set(row, "start", ReportJson.time(br.startMicros(), r.period().zone()));
                        set(row, "end", ReportJson.time(br.endMicros(), r.period().zone()));
                        set(row, "minutes", String.valueOf(br.minutes()));
                        set(row, "good", num(br.tally().good()));
                        set(row, "total", num(br.tally().total()));
                        set(row, "worst", num(ReportText.readingValue(o, br.worst())));
                        set(row, "worst_unit", ReportText.readingUnit(o));
                        set(row, "budget_consumed", num(br.budgetConsumed()));
                        set(row, "budget_spent_percent", num(100 * o.budgetSpentShare(br)));
                        w.write(row);
                    }
                    for (PeriodReport.Spend sp : o.costliest()) {
                        String[] row = base.clone();
                        set(row, "record", "costliest-hour");
                        set(row, "start", ReportJson.time(sp.startMicros(), r.period().zone()));
                        set(row, "end", ReportJson.time(sp.endMicros(), r.period().zone()));
                        set(row, "budget_consumed", num(sp.consumed()));
                        set(row, "budget_spent_percent", num(100 * sp.shareOfBudget()));
                        w.write(row);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String[] row() {
        String[] r = new String[COLUMNS.size()];
        Arrays.fill(r, "");
        return r;
    }

    private static void set(String[] row, String column, String value) {
        row[COLUMNS.indexOf(column)] = value == null ? "" : value;
    }

    /** Plain numbers a spreadsheet reads (no grouping, a dot for decimals); empty when undefined. */
    private static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(10)).stripTrailingZeros().toPlainString()
                .toLowerCase(Locale.ROOT);
    }
}
