package dev.vigil.server.report;

import dev.vigil.assess.Contract;
import dev.vigil.assess.PeriodReport;
import java.nio.charset.StandardCharsets;
import dev.vigil.event.Timestamps;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * A contract report as one self-contained HTML page: inline CSS and SVG charts, nothing fetched, so that it
 * can be mailed, archived and printed (A4, each objective kept on one page where it fits). Verdicts are
 * words as well as colours.
 */
public final class ReportHtml {

    /** A printed report stays readable: further intervals are in the CSV and JSON. */
    private static final int MAX_BREACH_ROWS = 100;
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEE d MMM yyyy HH:mm", Locale.ENGLISH);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM", Locale.ENGLISH);
    private static final String CSS = """
            :root { --ok: #1a7f37; --bad: #b42318; --none: #6b7280; --ink: #1f2328; --rule: #d0d7de; }
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
                   max-width: 960px; margin: 2rem auto; padding: 0 1rem; }
            h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid var(--ink); }
            h3 { margin-bottom: .2rem; } h4 { margin: 1rem 0 .3rem; }
            .meta, .asks, figcaption { color: #57606a; }
            table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
            th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
            td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
            .verdict { font-weight: 600; padding: .05rem .45rem; border-radius: .25rem; border: 1px solid; white-space: nowrap; }
            .met { color: var(--ok); } .breached { color: var(--bad); } .nodata { color: var(--none); }
            article { margin: 1.2rem 0 2rem; } figure { margin: .6rem 0; } svg { width: 100%; height: auto; }
            svg text { font: 11px system-ui, sans-serif; fill: #57606a; }
            .notes { border-left: 3px solid var(--rule); padding-left: .8rem; }
            @media print {
              @page { size: A4; margin: 14mm; }
              body { margin: 0; max-width: none; font-size: 10pt; }
              article, table.summary { break-inside: avoid; } h2 { break-before: page; } section:first-of-type h2 { break-before: auto; }
            }
            """;

    private ReportHtml() {
    }

    public static byte[] render(ContractReport r) {
        ZoneId zone = r.period().zone();
        StringBuilder h = new StringBuilder(16_384);
        String scope = r.sections().size() == 1 ? title(r.sections().get(0).contract()) : r.sections().size() + " contracts";
        h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(esc("Service level report " + r.period().label() + " · " + scope)).append("</title>")
                .append("<style>").append(CSS).append("</style></head><body>\n<header><h1>Service level report · ")
                .append(esc(periodName(r))).append("</h1><p class=\"meta\">")
                .append(esc(when(r.period().startMicros(), zone))).append(" to ").append(esc(when(r.period().endMicros(), zone)))
                .append(" (").append(esc(zone.getId())).append("), ").append(esc(scope)).append(". Generated ")
                .append(esc(when(r.generatedAtMicros(), zone))).append(" by Vigil from closed one-minute KPI windows.</p></header>\n");
        for (ContractReport.Section s : r.sections()) {
            section(h, s, zone);
        }
        h.append("</body></html>\n");
        return h.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void section(StringBuilder h, ContractReport.Section s, ZoneId zone) {
        Contract c = s.contract();
        boolean anyData = s.results().stream().anyMatch(PeriodReport.Result::hasData);
        boolean closed = s.closed();
        h.append("<section><h2>").append(esc(title(c))).append("</h2><p class=\"meta\">")
                .append(c.external() ? "Supplier: " : "Provider: ").append(esc(c.party()))
                .append(c.unit() == null ? "" : " · Business unit: " + esc(c.unit()))
                .append(" · Contract ").append(esc(c.name())).append("</p>\n<p>")
                .append(verdict(s.verdict()))
                .append(!anyData ? " No objective of this contract has data in the period."
                        : !closed ? (s.met() ? " So far every objective meets its target" : " So far at least one objective "
                        + "misses its target") + "; the period is not over, so nothing is decided and a band is only at risk."
                        : s.met() ? " Every objective met its target." : " At least one objective missed its target.")
                .append("</p>\n<table class=\"summary\"><thead><tr><th>Objective</th><th class=\"n\">Target</th>")
                .append("<th class=\"n\">Achieved</th><th>Verdict</th><th class=\"n\">Budget spent</th><th>Breaches</th>")
                .append("<th>Penalty band</th></tr></thead><tbody>\n");
        for (PeriodReport.Result o : s.results()) {
            Contract.PenaltyBand band = o.hasData() ? c.bandReached(o.objective().name(), 100 * o.achieved()) : null;
            h.append("<tr><td><a href=\"#").append(esc(anchor(c, o))).append("\">").append(esc(name(o))).append("</a></td>")
                    .append("<td class=\"n\">").append(ReportText.percent(100 * o.objective().spec().target())).append("</td>")
                    .append("<td class=\"n\">").append(ReportText.percent(100 * o.achieved())).append("</td>")
                    .append("<td>").append(verdict(o.verdict())).append("</td>")
                    .append("<td class=\"n\">").append(ReportText.budget(100 * o.budgetSpentShare())).append("</td>")
                    .append("<td>").append(breachCount(o)).append("</td><td>")
                    .append(band == null ? "none" : esc((o.closed() ? "" : "at risk: ") + "below "
                            + ReportText.percent(band.belowPercent()) + ": " + band.consequence())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
        if (c.notes() != null) {
            h.append("<p class=\"notes\">").append(esc(c.notes())).append("</p>\n");
        }
        for (PeriodReport.Result o : s.results()) {
            objective(h, c, o, zone);
        }
        h.append("</section>\n");
    }

    private static void objective(StringBuilder h, Contract c, PeriodReport.Result o, ZoneId zone) {
        h.append("<article id=\"").append(esc(anchor(c, o))).append("\"><h3>").append(esc(name(o))).append(" ")
                .append(verdict(o.verdict())).append("</h3><p class=\"asks\">").append(esc(ReportText.asks(o)))
                .append(o.objective().service() == null ? "" : " · service " + esc(o.objective().service())).append(". ")
                .append("Achieved ").append(ReportText.percent(100 * o.achieved())).append(" over ")
                .append(ReportText.number(o.units().total())).append(" ").append(ReportText.unitsCounted(o))
                .append("; error budget ").append(ReportText.number(o.budgetTotal())).append(", spent ")
                .append(ReportText.number(o.budgetConsumed())).append(" (").append(ReportText.budget(100 * o.budgetSpentShare()))
                .append(").").append(esc(coverage(o, zone))).append("</p>\n");
        if (!o.path().isEmpty() && o.hasData()) {
            double target = 100 * o.objective().spec().target();
            List<Double> achieved = o.path().stream().map(p -> 100 * p.achieved()).toList();
            List<Double> spent = o.path().stream().map(p -> 100 * p.budgetSpentShare()).toList();
            double lo = Math.min(target, achieved.stream().filter(v -> !Double.isNaN(v)).mapToDouble(v -> v).min().orElse(target));
            lo = Math.max(0, lo - (100 - lo) * 0.15);
            double hi = Math.max(100, spent.stream().filter(v -> !Double.isNaN(v)).mapToDouble(v -> v).max().orElse(100));
            List<String> days = labels(o, zone);
            h.append("<figure>");
            Svg.line(h, "Achieved so far, by day, against the target", achieved, lo, 100, target, "target "
                    + ReportText.percent(target), days, "#0969da");
            h.append("<figcaption>Achieved from the start of the period to the end of each day; dashed: the target.</figcaption></figure>\n<figure>");
            Svg.line(h, "Error budget spent so far, by day", spent, 0, hi * 1.05, 100, "whole budget", days, "#bf8700");
            h.append("<figcaption>Share of the period's error budget spent by the end of each day; dashed: all of it.</figcaption></figure>\n");
        }
        h.append("<h4>Breach intervals</h4>\n");
        List<PeriodReport.Breach> notable = o.notableBreaches();
        if (o.breaches().isEmpty()) {
            h.append("<p>None: no minute missed the target on its own.</p>\n");
        } else {
            if (notable.isEmpty()) {
                h.append("<p>None spent ").append(ReportText.percent(100 * PeriodReport.NOTABLE_SHARE))
                        .append(" of the budget or more.</p>\n");
            } else {
                h.append("<table><thead><tr><th>Start</th><th>End</th><th class=\"n\">Minutes</th><th class=\"n\">Worst minute</th>")
                        .append("<th class=\"n\">Bad / all</th><th class=\"n\">Of the budget</th></tr></thead><tbody>\n");
                for (PeriodReport.Breach b : notable.subList(0, Math.min(MAX_BREACH_ROWS, notable.size()))) {
                    h.append("<tr><td>").append(esc(when(b.startMicros(), zone))).append("</td><td>").append(esc(when(b.endMicros(), zone)))
                            .append("</td><td class=\"n\">").append(b.minutes()).append("</td><td class=\"n\">")
                            .append(esc(ReportText.worst(o, b.worst()))).append("</td><td class=\"n\">")
                            .append(ReportText.number(b.tally().bad())).append(" / ").append(ReportText.number(b.tally().total()))
                            .append("</td><td class=\"n\">").append(ReportText.budget(100 * o.budgetSpentShare(b))).append("</td></tr>\n");
                }
                h.append("</tbody></table>\n");
            }
            h.append("<p class=\"meta\">");
            if (notable.size() > MAX_BREACH_ROWS) {
                h.append("The first ").append(MAX_BREACH_ROWS).append(" of ").append(notable.size()).append(" intervals. ");
            }
            int minor = o.breaches().size() - notable.size();
            if (minor > 0) {
                int minutes = 0;
                double spent = 0;
                for (PeriodReport.Breach b : o.breaches()) {
                    if (!o.isNotable(b)) {
                        minutes += b.minutes();
                        spent += b.budgetConsumed();
                    }
                }
                h.append(ReportText.number(minor)).append(minor == 1 ? " shorter interval" : " shorter intervals")
                        .append(" (").append(ReportText.number(minutes)).append(minutes == 1 ? " minute" : " minutes")
                        .append(") spent less than ").append(ReportText.percent(100 * PeriodReport.NOTABLE_SHARE))
                        .append(" of the budget each, ").append(ReportText.budget(100 * o.shareOfBudget(spent)))
                        .append(" together; ");
            }
            if (minor > 0 || notable.size() > MAX_BREACH_ROWS) {
                h.append("the CSV and JSON reports list every interval. ");
            }
            h.append("A breach interval joins minutes that each missed the target, runs less than ")
                    .append(PeriodReport.JOIN_MINUTES).append(" minutes apart.</p>\n");
        }
        h.append("<h4>Hours that spent most of the budget</h4>\n");
        if (o.costliest().isEmpty()) {
            h.append("<p>None: no budget was spent.</p>\n");
        } else {
            h.append("<table><thead><tr><th>Hour</th><th class=\"n\">Spent</th><th class=\"n\">Of the budget</th></tr></thead><tbody>\n");
            for (PeriodReport.Spend sp : o.costliest()) {
                h.append("<tr><td>").append(esc(when(sp.startMicros(), zone))).append("</td><td class=\"n\">")
                        .append(ReportText.number(sp.consumed())).append("</td><td class=\"n\">")
                        .append(ReportText.budget(100 * sp.shareOfBudget())).append("</td></tr>\n");
            }
            h.append("</tbody></table>\n");
        }
        h.append("</article>\n");
    }

    private static List<String> labels(PeriodReport.Result o, ZoneId zone) {
        return o.path().stream().map(p -> DAY.format(Timestamps.toInstant(p.endMicros() - 1).atZone(zone))).toList();
    }

    private static String verdict(String v) {
        String cls = v.equals("no data") ? "nodata" : v.startsWith("met") ? "met" : "breached";
        return "<span class=\"verdict " + cls + "\">" + esc(v) + "</span>";
    }

    private static String periodName(ContractReport r) {
        var p = r.period();
        if (p.months() == 1) {
            return p.first().format(DateTimeFormatter.ofPattern("MMMM yyyy", Locale.ENGLISH));
        }
        return p.months() == 3 ? "Q" + ((p.first().getMonthValue() + 2) / 3) + " " + p.first().getYear() : String.valueOf(p.first().getYear());
    }

    private static String title(Contract c) {
        return c.displayName() != null ? c.displayName() : c.name();
    }

    private static String name(PeriodReport.Result o) {
        return o.objective().displayName() != null ? o.objective().displayName() : o.objective().name();
    }

    private static String anchor(Contract c, PeriodReport.Result o) {
        return c.name() + "--" + o.objective().name();
    }

    static String when(long micros, ZoneId zone) {
        return WHEN.format(Timestamps.toInstant(micros).atZone(zone));
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    /** The notable breach intervals, and how many shorter ones besides: "2 (and 1,398 shorter)". */
    private static String breachCount(PeriodReport.Result o) {
        int notable = o.notableBreaches().size();
        int minor = o.breaches().size() - notable;
        return minor == 0 ? String.valueOf(notable) : notable + " (and " + ReportText.number(minor) + " shorter)";
    }

    /**
     * " No data before 30 Oct: ..." when the period's first days had none (a verdict over its last two days reads
     * like one over the month), else nothing.
     */
    static String coverage(PeriodReport.Result o, ZoneId zone) {
        if (!o.hasData() || o.path().isEmpty()) {
            return "";
        }
        int first = 0;
        while (first < o.path().size() && Double.isNaN(o.path().get(first).achieved())) {
            first++;
        }
        if (first == 0 || first == o.path().size()) {
            return "";
        }
        // A step ends at the end of its day (local midnight): its day is the one just before.
        java.time.LocalDate day = Timestamps.toInstant(o.path().get(first).endMicros() - 1).atZone(zone).toLocalDate();
        int covered = o.path().size() - first;
        long days = java.time.temporal.ChronoUnit.DAYS.between(o.period().first(), o.period().first().plusMonths(o.period().months()));
        return " No data before " + DAY.format(day) + ": the figures cover " + covered + (covered == 1 ? " day" : " days")
                + (o.path().size() == days ? " of the period's " + days : " of its " + o.path().size() + " so far") + ".";
    }
}
