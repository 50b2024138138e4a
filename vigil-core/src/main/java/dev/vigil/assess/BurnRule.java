package dev.vigil.assess;

import java.util.List;

/**
 * One multi-window burn-rate alert (Google SRE workbook, ch. 5): it fires when the error budget burns
 * faster than {@code factor} over both the long window and the short one, and resolves when it no longer
 * does over both. The short window makes it resolve soon after the burn stops.
 *
 * @param orEqual whether a burn rate equal to the factor fires too (OpenSLO's {@code op: gte})
 */
public record BurnRule(String severity, double factor, long longMicros, long shortMicros, boolean orEqual)
        implements java.io.Serializable {

    private static final long MINUTE = 60_000_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final long THIRTY_DAYS = 30 * 24 * HOUR;

    /**
     * The workbook's four rules for a 30-day period: page at 14.4× over 1h and 5m, page at 6× over 6h and
     * 30m, ticket at 3× over 1d and 2h, ticket at 1× over 3d and 6h. They are 2%, 5%, 10% and 10% of the
     * budget spent within the long window; for another period length the factors scale so the same shares
     * of its budget trigger them.
     */
    public BurnRule {
        if (!(factor > 0) || shortMicros < MINUTE || longMicros < shortMicros) {
            throw new IllegalArgumentException("a burn rule needs a factor above 0 and windows of whole minutes, "
                    + "the short one no longer than the long one");
        }
    }

    /** A rule that fires above (not at) the factor, as the workbook's. */
    public BurnRule(String severity, double factor, long longMicros, long shortMicros) {
        this(severity, factor, longMicros, shortMicros, false);
    }

    /** Whether burn rates over the long and the short window both reach this rule. */
    public boolean firesAt(double longBurn, double shortBurn) {
        return orEqual ? longBurn >= factor && shortBurn >= factor : longBurn > factor && shortBurn > factor;
    }

    public static List<BurnRule> standard(long periodMicros) {
        double scale = (double) periodMicros / THIRTY_DAYS;
        return List.of(
                new BurnRule("page", 14.4 * scale, HOUR, 5 * MINUTE),
                new BurnRule("page", 6 * scale, 6 * HOUR, 30 * MINUTE),
                new BurnRule("ticket", 3 * scale, 24 * HOUR, 2 * HOUR),
                new BurnRule("ticket", 1 * scale, 72 * HOUR, 6 * HOUR));
    }

    /** A stable name for deduplication: severity, factor and windows. */
    public String id() {
        return severity + "-" + (orEqual ? "ge" : "") + factorText() + "x-" + longMicros / MINUTE + "m-" + shortMicros / MINUTE + "m";
    }

    /** The factor to three significant digits, as people read it: "3.1", not "3.1000000000000005". */
    public String factorText() {
        return new java.math.BigDecimal(factor).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }
}
