package dev.vigil.batch.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * A comparison as one self-contained HTML file: the recommendation, bar charts (inline SVG, nothing fetched)
 * of throughput, request p99 and online p99 per strategy, and the full table. Reads well printed.
 */
public final class HtmlReport {

    private HtmlReport() {
    }

    public static void write(Path file, String input, String target, List<RunResult> results,
                             Comparison.Recommendation rec, Objective protect) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Vigil batch lab: ")
                .append(esc(input)).append("</title><style>")
                .append("body{font:14px/1.45 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#1d2733}")
                .append("h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}table{border-collapse:collapse;width:100%}")
                .append("th,td{padding:4px 8px;border-bottom:1px solid #dde3ea;text-align:right}th:first-child,td:first-child{text-align:left}")
                .append(".rec{background:#eef6ee;border-left:4px solid #2e7d32;padding:.6em 1em}.bad{color:#b3261e}")
                .append(".rec.none{background:#fff4e5;border-left-color:#b35900}")
                .append("svg text{font:12px system-ui,sans-serif}@media print{body{margin:0}.rec{break-inside:avoid}}")
                .append("</style></head><body>");
        h.append("<h1>Batch lab: ").append(esc(input)).append(" → ").append(esc(target)).append("</h1>");
        h.append("<p>").append(results.size()).append(" strategies, ").append(Instant.now().toString(), 0, 19)
                .append(" UTC").append(protect == null ? "" : ", protecting " + esc(protect.toString())).append(".</p>");
        // Green only when there is something to recommend: "no strategy kept the objective" is a warning, not advice.
        if (rec.best() == null) {
            h.append("<p class=\"rec none\"><strong>No recommendation:</strong> ").append(esc(rec.reason())).append("</p>");
        } else {
            h.append("<p class=\"rec\"><strong>Recommended:</strong> ").append(esc(rec.reason())).append("</p>");
        }
        bars(h, "Throughput (records/s)", results, RunResult::perSecond, Double.NaN, "%,.0f");
        bars(h, "Request latency p99 (ms)", results, r -> r.callLatency().at(0.99), Double.NaN, "%,.1f");
        bars(h, "Online users' latency p99 during the run (ms)", results,
                r -> r.onlineDuring() == null ? Double.NaN : r.onlineDuring().at(0.99),
                protect == null || protect.quantile() != 0.99 ? Double.NaN : protect.limitMillis(), "%,.1f");
        h.append("<h2>All figures</h2><table><tr><th>strategy</th><th>records/s</th><th>records</th><th>p50 ms</th>")
                .append("<th>p95 ms</th><th>p99 ms</th><th>max ms</th><th>retries</th><th>rejects</th>")
                .append("<th>online p99 before</th><th>online p99 during</th><th>service busy</th></tr>");
        java.util.Set<Strategy> seen = new java.util.HashSet<>();
        for (RunResult r : results) {
            boolean broke = protect != null && !protect.kept(r);
            // The tuner runs a point that broke the objective a second time before it believes the breach.
            boolean again = !seen.add(r.strategy());
            h.append("<tr").append(broke ? " class=\"bad\"" : "").append("><td>").append(esc(r.strategy().toString()))
                    .append(r.limited() ? " (budget reached)" : "").append(again ? " (run again to confirm a breach)" : "")
                    .append("</td>")
                    .append(td("%,.0f", r.perSecond())).append(td("%,d", r.applied() + r.rejected()))
                    .append(td("%.2f", r.callLatency().at(0.5))).append(td("%.2f", r.callLatency().at(0.95)))
                    .append(td("%.2f", r.callLatency().at(0.99))).append(td("%.2f", r.callLatency().max()))
                    .append(td("%,d", r.retries())).append(td("%,d", r.rejected()))
                    .append(td("%.2f", r.onlineBefore() == null ? Double.NaN : r.onlineBefore().at(0.99)))
                    .append(td("%.2f", r.onlineDuring() == null ? Double.NaN : r.onlineDuring().at(0.99)))
                    .append(r.utilisation() == null ? "<td>-</td>" : td("%.0f%%", 100 * r.utilisation())).append("</tr>");
        }
        h.append("</table><p>Latency is measured per request; in rate-limited runs from when each request was due. ")
                .append("Online latency comes from a probe calling the service's online endpoint at a fixed rate, ")
                .append("timed from when each call was due. Made by <code>vigil batch compare</code>.</p></body></html>\n");
        Files.writeString(file, h.toString(), StandardCharsets.UTF_8);
    }

    private static void bars(StringBuilder h, String title, List<RunResult> results, ToDoubleFunction<RunResult> value,
                             double limit, String format) {
        double max = Double.isNaN(limit) ? 0 : limit;
        for (RunResult r : results) {
            double v = value.applyAsDouble(r);
            if (!Double.isNaN(v)) {
                max = Math.max(max, v);
            }
        }
        int rowH = 24;
        int labelW = 260;
        int barW = 560;
        int height = results.size() * rowH + 10;
        h.append("<h2>").append(esc(title)).append("</h2><svg role=\"img\" aria-label=\"").append(esc(title))
                .append("\" width=\"100%\" viewBox=\"0 0 ").append(labelW + barW + 110).append(' ').append(height).append("\">");
        int y = 5;
        for (RunResult r : results) {
            double v = value.applyAsDouble(r);
            int w = max <= 0 || Double.isNaN(v) ? 0 : (int) Math.round(barW * v / max);
            h.append("<text x=\"").append(labelW - 8).append("\" y=\"").append(y + 16).append("\" text-anchor=\"end\">")
                    .append(esc(r.strategy().toString())).append("</text>");
            h.append("<rect x=\"").append(labelW).append("\" y=\"").append(y + 3).append("\" width=\"").append(w)
                    .append("\" height=\"").append(rowH - 8).append("\" fill=\"#3b6ea8\"/>");
            h.append("<text x=\"").append(labelW + w + 6).append("\" y=\"").append(y + 16).append("\">")
                    .append(Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v)).append("</text>");
            y += rowH;
        }
        if (!Double.isNaN(limit) && max > 0) {
            int x = labelW + (int) Math.round(barW * limit / max);
            h.append("<line x1=\"").append(x).append("\" x2=\"").append(x).append("\" y1=\"0\" y2=\"").append(height)
                    .append("\" stroke=\"#b3261e\" stroke-dasharray=\"4 3\"/><text x=\"").append(x + 4).append("\" y=\"12\" fill=\"#b3261e\">objective</text>");
        }
        h.append("</svg>");
    }

    private static String td(String format, double v) {
        return "<td>" + (Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v)) + "</td>";
    }

    private static String td(String format, long v) {
        return "<td>" + String.format(Locale.ROOT, format, v) + "</td>";
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
