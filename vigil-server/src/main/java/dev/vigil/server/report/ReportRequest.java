package dev.vigil.server.report;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a report is asked for, from the command line or the API, checked the same way: which contracts
 * (exactly one of contract, unit or all), the period, the format and optionally the zone.
 */
public record ReportRequest(ContractReport.Selection selection, String period, Format format, ZoneId zone) {

    /** The formats a report comes in. */
    public enum Format {
        HTML("text/html; charset=utf-8", "html"),
        CSV("text/csv; charset=utf-8", "csv"),
        JSON("application/json; charset=utf-8", "json");

        public final String mediaType;
        public final String extension;

        Format(String mediaType, String extension) {
            this.mediaType = mediaType;
            this.extension = extension;
        }

        public byte[] render(ContractReport r) {
            return switch (this) {
                case HTML -> ReportHtml.render(r);
                case CSV -> ReportCsv.render(r);
                case JSON -> ReportJson.render(r);
            };
        }

        public static Format parse(String s) {
            return Arrays.stream(values()).filter(f -> f.extension.equals(s.toLowerCase(Locale.ROOT))).findFirst()
                    .orElseThrow(() -> new Invalid("format", "format must be html, csv or json, not \"" + s + "\""));
        }
    }

    /** A request that cannot be served, naming the parameter at fault. */
    public static final class Invalid extends IllegalArgumentException {
        public final String parameter;

        public Invalid(String parameter, String message) {
            super(message);
            this.parameter = parameter;
        }
    }

    public static ReportRequest of(String contract, String unit, boolean all, String period, String format, String zone) {
        int chosen = (contract != null ? 1 : 0) + (unit != null ? 1 : 0) + (all ? 1 : 0);
        if (chosen != 1) {
            throw new Invalid("contract", "give exactly one of contract (a contract's name), unit (a business unit's "
                    + "contracts) or all");
        }
        if (period == null) {
            throw new Invalid("period", "period is required: a month (2026-10), a quarter (2026-Q4) or a year (2026)");
        }
        ZoneId z = null;
        if (zone != null) {
            try {
                z = ZoneId.of(zone);
            } catch (DateTimeException e) {
                throw new Invalid("zone", "zone must be an IANA time zone such as Europe/Zurich or UTC, not \"" + zone + "\"");
            }
        }
        ContractReport.Selection s = contract != null ? new ContractReport.Selection.Named(contract)
                : unit != null ? new ContractReport.Selection.Unit(unit) : new ContractReport.Selection.All();
        return new ReportRequest(s, period, format == null ? Format.HTML : Format.parse(format), z);
    }

    /** A file name for the report: vigil-report-CONTRACT-PERIOD.EXT. */
    public String fileName() {
        String scope = switch (selection) {
            case ContractReport.Selection.Named n -> n.name();
            case ContractReport.Selection.Unit u -> "unit-" + u.unit();
            case ContractReport.Selection.All a -> "all";
        };
        return ("vigil-report-" + scope + "-" + period).replaceAll("[^A-Za-z0-9._-]", "_") + "." + format.extension;
    }
}
