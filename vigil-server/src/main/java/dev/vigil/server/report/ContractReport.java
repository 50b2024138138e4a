package dev.vigil.server.report;

import dev.vigil.assess.Contract;
import dev.vigil.assess.Objective;
import dev.vigil.assess.PeriodReport;
import dev.vigil.assess.ReportPeriod;
import dev.vigil.assess.TimeWindow;
import dev.vigil.config.yaml.DidYouMean;
import dev.vigil.store.OutputStore;
import dev.vigil.summarise.WindowSpan;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A period report over one or more contracts: for each, its objectives judged over the period from the
 * stored one-minute KPI windows. The same report is rendered as JSON, CSV or HTML.
 *
 * @param generatedAtMicros when it was made (the report says so: late events may still amend the period)
 */
public record ContractReport(ReportPeriod period, long generatedAtMicros, List<Section> sections) {

    /** One contract and its objectives' results, in the contract's order. */
    public record Section(Contract contract, List<PeriodReport.Result> results) {

        /** Whether every objective with data met its target, and at least one had data. */
        public boolean met() {
            return results.stream().anyMatch(PeriodReport.Result::hasData)
                    && results.stream().allMatch(r -> !r.hasData() || r.met());
        }

        /** Whether the period was over for every objective at the report's time: only then is the verdict final. */
        public boolean closed() {
            return results.stream().allMatch(PeriodReport.Result::closed);
        }

        /** The contract's verdict as {@link PeriodReport#verdict} words one. */
        public String verdict() {
            return PeriodReport.verdict(results.stream().anyMatch(PeriodReport.Result::hasData), met(), closed());
        }
    }

    /** Which contracts a report covers: one by name, a business unit's, or all. */
    public sealed interface Selection {
        record Named(String name) implements Selection {
        }

        record Unit(String unit) implements Selection {
        }

        record All() implements Selection {
        }
    }

    /**
     * Builds the report from the store.
     *
     * The period's months begin in the request's zone, or else the first covered objective's calendar zone,
     * else UTC.
     *
     * @throws ReportRequest.Invalid for an unknown contract or unit, or a bad period, with the names that exist
     */
    public static ContractReport build(List<Objective> declared, List<Contract> contracts, OutputStore store,
                                       ReportRequest request, long nowMicros) throws SQLException {
        List<Contract> chosen = select(contracts, request.selection());
        ZoneId zone = request.zone();
        String period = request.period();
        Map<String, Objective> objectives = declared.stream()
                .collect(Collectors.toMap(Objective::name, Function.identity()));
        ZoneId z = zone != null ? zone : chosen.stream().flatMap(c -> c.objectives().stream()).map(objectives::get)
                .filter(o -> o != null && o.spec().window() instanceof TimeWindow.Calendar)
                .map(o -> ((TimeWindow.Calendar) o.spec().window()).zone()).findFirst().orElse(ZoneId.of("UTC"));
        ReportPeriod p;
        try {
            p = ReportPeriod.parse(period, z, java.time.LocalDate.now(z));
        } catch (IllegalArgumentException e) {
            throw new ReportRequest.Invalid("period", e.getMessage());
        }
        // Contracts may share objectives (--all, --unit): each is read from the store and judged once.
        Map<String, PeriodReport.Result> judged = new java.util.HashMap<>();
        List<Section> sections = new ArrayList<>();
        for (Contract c : chosen) {
            List<PeriodReport.Result> results = new ArrayList<>();
            for (String name : c.objectives()) {
                PeriodReport.Result r = judged.get(name);
                if (r == null) {
                    r = judge(objectives.get(name), store, p, nowMicros);
                    judged.put(name, r);
                }
                results.add(r);
            }
            sections.add(new Section(c, results));
        }
        return new ContractReport(p, nowMicros, sections);
    }

    private static PeriodReport.Result judge(Objective o, OutputStore store, ReportPeriod p, long nowMicros)
            throws SQLException {
        List<PeriodReport.Minute> minutes = new ArrayList<>();
        for (OutputStore.KpiStep step : store.kpis(o.series().dimension(), o.series().key(), o.series().name(),
                p.startMicros(), p.endMicros(), WindowSpan.MINUTE)) {
            minutes.add(new PeriodReport.Minute(step.startMicros(), o.spec().indicator().tally(step.window()),
                    o.spec().indicator().reading(step.window())));
        }
        return PeriodReport.of(o, p, minutes, nowMicros);
    }

    static List<Contract> select(List<Contract> contracts, Selection selection) {
        List<String> names = contracts.stream().map(Contract::name).toList();
        return switch (selection) {
            case Selection.All a -> {
                if (contracts.isEmpty()) {
                    throw new ReportRequest.Invalid("all", "no contracts are declared: add a Contract document to the "
                            + "objectives' files (docs/SLO.md)");
                }
                yield contracts;
            }
            case Selection.Named n -> contracts.stream().filter(c -> c.name().equals(n.name())).findFirst().map(List::of)
                    .orElseThrow(() -> new ReportRequest.Invalid("contract", "no contract named \"" + n.name() + "\""
                            + DidYouMean.suggestion(n.name(), names) + known("contracts", names)));
            case Selection.Unit u -> {
                List<Contract> of = contracts.stream().filter(c -> u.unit().equals(c.unit())).toList();
                List<String> units = contracts.stream().map(Contract::unit).filter(x -> x != null).distinct().toList();
                if (of.isEmpty()) {
                    throw new ReportRequest.Invalid("unit", "no contract serves the business unit \"" + u.unit() + "\""
                            + DidYouMean.suggestion(u.unit(), units) + known("units", units));
                }
                yield of;
            }
        };
    }

    private static String known(String what, List<String> names) {
        return names.isEmpty() ? " (none is declared)" : " (" + what + ": " + String.join(", ", names) + ")";
    }
}
