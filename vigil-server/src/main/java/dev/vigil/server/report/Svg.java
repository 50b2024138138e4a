package dev.vigil.server.report;

import java.util.List;
import java.util.Locale;

/** Small inline SVG line charts for reports: one series, one dashed reference line, day labels. */
final class Svg {

    private static final int W = 640;
    private static final int H = 170;
    private static final int LEFT = 64;
    private static final int RIGHT = 12;
    private static final int TOP = 10;
    private static final int BOTTOM = 24;

    private Svg() {
    }

    /** A line of {@code values} (percent; NaN leaves a gap) between {@code lo} and {@code hi}, with a reference. */
    static void line(StringBuilder h, String title, List<Double> values, double lo, double hi, double reference,
                     String referenceLabel, List<String> labels, String colour) {
        double span = hi - lo <= 0 ? 1 : hi - lo;
        int n = values.size();
        double plotW = W - LEFT - RIGHT;
        double plotH = H - TOP - BOTTOM;
        h.append("<svg viewBox=\"0 0 ").append(W).append(' ').append(H).append("\" role=\"img\" aria-label=\"")
                .append(ReportHtml.esc(title)).append("\" xmlns=\"http://www.w3.org/2000/svg\"><title>")
                .append(ReportHtml.esc(title)).append("</title>");
        // Axis: three ticks on y, about six day labels on x.
        for (int i = 0; i <= 2; i++) {
            double v = lo + span * i / 2;
            double y = TOP + plotH - plotH * i / 2;
            h.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(W - RIGHT).append("\" y1=\"").append(f(y))
                    .append("\" y2=\"").append(f(y)).append("\" stroke=\"#eaeef2\"/>")
                    .append("<text x=\"").append(LEFT - 4).append("\" y=\"").append(f(y + 4)).append("\" text-anchor=\"end\">")
                    .append(ReportText.percent(v, span >= 30 ? 0 : span >= 3 ? 1 : span >= 0.3 ? 2 : 3)).append("</text>");
        }
        int every = Math.max(1, (int) Math.ceil(n / 6.0));
        for (int i = 0; i < n; i += every) {
            h.append("<text x=\"").append(f(x(i, n, plotW))).append("\" y=\"").append(H - 6).append("\" text-anchor=\"middle\">")
                    .append(ReportHtml.esc(labels.get(i))).append("</text>");
        }
        double ry = y(reference, lo, span, plotH);
        h.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(W - RIGHT).append("\" y1=\"").append(f(ry))
                .append("\" y2=\"").append(f(ry)).append("\" stroke=\"#57606a\" stroke-dasharray=\"5 4\"/>")
                .append("<text x=\"").append(W - RIGHT).append("\" y=\"").append(f(ry - 4)).append("\" text-anchor=\"end\">")
                .append(ReportHtml.esc(referenceLabel)).append("</text>");
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < n; i++) {
            double v = values.get(i);
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                flush(h, points, colour);
                continue;
            }
            points.append(f(x(i, n, plotW))).append(',').append(f(y(v, lo, span, plotH))).append(' ');
        }
        flush(h, points, colour);
        h.append("</svg>");
    }

    private static void flush(StringBuilder h, StringBuilder points, String colour) {
        String p = points.toString().trim();
        if (p.isEmpty()) {
            return;
        }
        if (!p.contains(" ")) {
            // A day alone (the first, or one between days without data): a dot, since a line needs two.
            String[] xy = p.split(",");
            h.append("<circle r=\"3\" fill=\"").append(colour).append("\" cx=\"").append(xy[0]).append("\" cy=\"")
                    .append(xy[1]).append("\"/>");
        } else {
            h.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"")
                    .append(p).append("\"/>");
        }
        points.setLength(0);
    }

    private static double x(int i, int n, double plotW) {
        return LEFT + (n <= 1 ? plotW / 2 : plotW * i / (n - 1));
    }

    private static double y(double v, double lo, double span, double plotH) {
        double clamped = Math.max(lo, Math.min(lo + span, v));
        return TOP + plotH - plotH * (clamped - lo) / span;
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
