package dev.vigil.server.config;

import dev.vigil.assess.Budgeting;
import dev.vigil.assess.BurnRule;
import dev.vigil.assess.Indicator;
import dev.vigil.assess.Objective;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.assess.TimeWindow;
import dev.vigil.config.Durations;
import dev.vigil.event.WireName;
import dev.vigil.server.config.YamlTree.Entry;
import dev.vigil.server.config.YamlTree.ListNode;
import dev.vigil.server.config.YamlTree.Loc;
import dev.vigil.server.config.YamlTree.MapNode;
import dev.vigil.server.config.YamlTree.Node;
import dev.vigil.summarise.Dimension;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads OpenSLO v1 documents (docs/SLO.md) into objectives over Vigil's KPI windows. Indicators name a
 * Vigil series through a metric source of type {@code Vigil}; every problem is reported with file, line,
 * column and the fix, all at once. Kinds read so far: SLO, SLI and Service; the alerting kinds come next.
 */
public final class OpenSloLoader extends YamlChecks {

    private static final List<String> KINDS = List.of("SLO", "SLI", "Service", "AlertPolicy", "AlertCondition",
            "AlertNotificationTarget", "DataSource", "Contract");
    private static final List<String> CONTRACT = List.of("supplier", "provider", "unit", "objectives", "period", "notes",
            "penaltyBands");
    private static final List<String> BAND = List.of("below", "consequence");
    private static final List<String> DOC = List.of("apiVersion", "kind", "metadata", "spec");
    private static final List<String> METADATA = List.of("name", "displayName", "labels", "annotations");
    private static final List<String> SLO = List.of("description", "service", "indicator", "indicatorRef", "timeWindow",
            "budgetingMethod", "objectives", "alertPolicies");
    private static final List<String> SLI = List.of("description", "thresholdMetric", "ratioMetric");
    private static final List<String> RATIO = List.of("counter", "good", "bad", "total", "rawType", "raw");
    private static final List<String> SOURCE = List.of("metricSourceRef", "type", "spec");
    private static final List<String> VIGIL_SPEC = List.of("dimension", "key", "name", "good", "bad", "durationAtMost",
            "statistic");
    private static final List<String> WINDOW = List.of("duration", "isRolling", "calendar");
    private static final List<String> CALENDAR = List.of("startTime", "timeZone");
    private static final List<String> OBJECTIVE = List.of("displayName", "op", "value", "target", "targetPercent",
            "timeSliceTarget", "timeSliceWindow");

    private final Map<String, Node> slis = new LinkedHashMap<>();
    /** Each document's name, checked once (null when it has none or a bad one). */
    private final Map<MapNode, String> names = new java.util.IdentityHashMap<>();
    private final List<Objective> objectives = new ArrayList<>();
    private final List<dev.vigil.assess.Contract> contracts = new ArrayList<>();
    private final List<Reference> references = new ArrayList<>();

    /** A contract's reference to an objective, resolved once every file is read. */
    public record Reference(String objective, String contract, ConfigError at) {
    }

    /** What a file holds: objectives, contracts, and the contracts' references to objectives. */
    public record Documents(List<Objective> objectives, List<dev.vigil.assess.Contract> contracts, List<Reference> references) {
    }

    private OpenSloLoader(String file) {
        super(file);
    }

    /** Reads one file of OpenSLO documents; {@code file} is how messages name it. */
    public static List<Objective> parse(String text, String file) throws InvalidConfig {
        return read(text, file).objectives();
    }

    /** Reads one file: objectives, and Vigil's contracts, whose references the caller resolves across files. */
    public static Documents read(String text, String file) throws InvalidConfig {
        OpenSloLoader l = new OpenSloLoader(file);
        List<Node> docs = YamlTree.parseAll(text, file, l.errors);
        List<MapNode> slos = new ArrayList<>();
        List<MapNode> contracts = new ArrayList<>();
        for (Node d : docs) {
            MapNode doc = l.document(d);
            if (doc != null && "SLO".equals(l.kind(doc))) {
                slos.add(doc);
            } else if (doc != null && "Contract".equals(l.kind(doc))) {
                contracts.add(doc);
            }
        }
        for (MapNode slo : slos) {
            l.slo(slo);
        }
        for (MapNode c : contracts) {
            l.contract(c);
        }
        if (!l.errors.isEmpty()) {
            throw new InvalidConfig(l.sortedErrors());
        }
        return new Documents(List.copyOf(l.objectives), List.copyOf(l.contracts), List.copyOf(l.references));
    }

    private void contract(MapNode doc) {
        String name = names.get(doc);
        Entry specEntry = doc.entries().get("spec");
        MapNode spec = specEntry == null ? null : map(specEntry.value(), "spec", "a mapping");
        if (spec == null) {
            if (specEntry == null) {
                error(doc.loc(), "a Contract needs a spec with supplier (or provider) and objectives");
            }
            return;
        }
        known(spec, "in a Contract's spec", CONTRACT);
        Entry supplier = spec.entries().get("supplier");
        Entry provider = spec.entries().get("provider");
        if ((supplier == null) == (provider == null)) {
            error(spec.loc(), "a Contract names exactly one of supplier (an outside company) or provider (an internal team)");
        }
        String party = supplier != null ? scalar(supplier.value(), "supplier") : provider != null ? scalar(provider.value(), "provider") : null;
        String unit = spec.entries().get("unit") == null ? null : scalar(spec.entries().get("unit").value(), "unit");
        String notes = spec.entries().get("notes") == null ? null : scalar(spec.entries().get("notes").value(), "notes");
        String period = "1M";
        Entry p = spec.entries().get("period");
        if (p != null) {
            period = scalar(p.value(), "period");
            if (period != null && !period.matches("[1-9][0-9]*[MQY]")) {
                error(p.value().loc(), "period must be months, quarters or years: 1M, 3M, 1Q or 1Y");
                period = null;
            }
        }
        List<String> objectiveNames = strings(spec, "objectives", "a Contract", spec.loc(), "the SLO names it covers, e.g. [carrier-availability]");
        if (objectiveNames != null && name != null) {
            ListNode list = (ListNode) spec.entries().get("objectives").value();
            for (int i = 0; i < objectiveNames.size(); i++) {
                Loc at = list.items().get(i).loc();
                references.add(new Reference(objectiveNames.get(i), name, new ConfigError(file, at.line(), at.column(), "")));
            }
        }
        List<dev.vigil.assess.Contract.PenaltyBand> bands = new ArrayList<>();
        Entry pb = spec.entries().get("penaltyBands");
        if (pb != null) {
            if (!(pb.value() instanceof ListNode list)) {
                error(pb.value().loc(), "penaltyBands must be a list such as [{below: 99.9, consequence: 5% credit}]");
            } else {
                double previous = 100;
                for (Node n : list.items()) {
                    MapNode band = map(n, "a penalty band", "a mapping with below (a percentage) and consequence");
                    if (band == null) {
                        continue;
                    }
                    known(band, "in a penalty band", BAND);
                    Entry below = band.entries().get("below");
                    Entry what = band.entries().get("consequence");
                    if (below == null || what == null) {
                        error(band.loc(), "a penalty band needs below (e.g. 99.5) and consequence (e.g. 10% service credit)");
                        continue;
                    }
                    Double b = number(below.value(), "below");
                    if (b != null && (b <= 0 || b > 100)) {
                        error(below.value().loc(), "below is a percentage in (0, 100]");
                    } else if (b != null && b >= previous) {
                        error(below.value().loc(), "penalty bands go from the mildest to the strictest: each below lower "
                                + "than the one before");
                    } else if (b != null) {
                        previous = b;
                        bands.add(new dev.vigil.assess.Contract.PenaltyBand(b, scalar(what.value(), "consequence")));
                    }
                }
            }
        }
        if (name != null && party != null && objectiveNames != null && period != null) {
            contracts.add(new dev.vigil.assess.Contract(name, displayName(doc), party, supplier != null, unit,
                    objectiveNames, period, notes, bands));
        }
    }

    private String kind(MapNode doc) {
        Entry k = doc.entries().get("kind");
        return k == null ? null : scalar(k.value(), "kind");
    }

    /** Checks the envelope every document shares; keeps SLIs for references. */
    private MapNode document(Node d) {
        MapNode doc = map(d, "an OpenSLO document", "a mapping with apiVersion, kind, metadata and spec");
        if (doc == null) {
            return null;
        }
        known(doc, "in an OpenSLO document", DOC);
        Entry kind = doc.entries().get("kind");
        String k = kind == null ? null : scalar(kind.value(), "kind");
        String expected = "Contract".equals(k) ? "vigil.dev/v1" : "openslo/v1";
        Entry api = doc.entries().get("apiVersion");
        if (api == null) {
            error(doc.loc(), "missing apiVersion: write apiVersion: " + expected);
        } else if (!expected.equals(scalar(api.value(), "apiVersion"))) {
            error(api.value().loc(), "Contract".equals(k) ? "a Contract is Vigil's extension: apiVersion must be vigil.dev/v1"
                    : "apiVersion must be openslo/v1 (Vigil reads OpenSLO v1)");
        }
        if (kind == null) {
            error(doc.loc(), "missing kind: one of " + String.join(", ", KINDS));
            return null;
        }
        if (k != null && !KINDS.contains(k)) {
            error(kind.value().loc(), "unknown kind \"" + k + "\"" + suggestion(k, KINDS) + " (kinds: " + String.join(", ", KINDS) + ")");
            return null;
        }
        String name = name(doc);
        names.put(doc, name);
        if ("SLI".equals(k) && name != null && doc.entries().get("spec") != null) {
            slis.put(name, doc.entries().get("spec").value());
        }
        return doc;
    }

    private String name(MapNode doc) {
        Entry md = doc.entries().get("metadata");
        if (md == null) {
            error(doc.loc(), "missing metadata: write metadata: {name: a-name}");
            return null;
        }
        MapNode m = map(md.value(), "metadata", "a mapping with name and optionally displayName");
        if (m == null) {
            return null;
        }
        known(m, "in metadata", METADATA);
        Entry n = m.entries().get("name");
        if (n == null) {
            error(m.loc(), "metadata needs a name (lowercase letters, digits and '-', at most 63)");
            return null;
        }
        String name = scalar(n.value(), "metadata.name");
        if (name != null && !name.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            error(n.value().loc(), "metadata.name \"" + name + "\" must be lowercase letters, digits and '-', start and end "
                    + "with a letter or digit, at most 63 characters (RFC 1123)");
            return null;
        }
        return name;
    }

    private String displayName(MapNode doc) {
        Entry md = doc.entries().get("metadata");
        if (md != null && md.value() instanceof MapNode m && m.entries().get("displayName") != null) {
            return scalar(m.entries().get("displayName").value(), "displayName");
        }
        return null;
    }

    /** Checks an SLO whole, reporting every problem even when an early one means no objective comes of it. */
    private void slo(MapNode doc) {
        String name = names.get(doc);
        Entry specEntry = doc.entries().get("spec");
        if (specEntry == null) {
            error(doc.loc(), "an SLO needs a spec with indicator, timeWindow, budgetingMethod and objectives");
            return;
        }
        MapNode spec = map(specEntry.value(), "spec", "a mapping");
        if (spec == null) {
            return;
        }
        known(spec, "in an SLO's spec", SLO);
        String service = spec.entries().get("service") == null ? null : scalar(spec.entries().get("service").value(), "service");
        Node sli = indicator(spec);
        TimeWindow window = window(spec);
        Entry bm = spec.entries().get("budgetingMethod");
        String method = null;
        if (bm == null) {
            error(spec.loc(), "an SLO needs budgetingMethod: Occurrences or Timeslices");
        } else {
            method = scalar(bm.value(), "budgetingMethod");
            if (method != null && !method.equals("Occurrences") && !method.equals("Timeslices")) {
                error(bm.value().loc(), "budgetingMethod must be Occurrences or Timeslices"
                        + suggestion(method, List.of("Occurrences", "Timeslices")));
                method = null;
            }
        }
        Entry objs = spec.entries().get("objectives");
        MapNode objective = null;
        if (objs == null) {
            error(spec.loc(), "an SLO needs objectives: e.g. objectives: [{target: 0.999}]");
        } else if (!(objs.value() instanceof ListNode list) || list.items().isEmpty()) {
            error(objs.value().loc(), "objectives must be a non-empty list, e.g. [{target: 0.999}]");
        } else if (list.items().size() > 1) {
            error(list.items().get(1).loc(), "Vigil judges one objective per SLO: write one SLO per target");
        } else {
            objective = map(list.items().get(0), "an objective", "a mapping with target or targetPercent");
        }
        Double target = null;
        Budgeting budgeting = null;
        if (objective != null) {
            known(objective, "in an objective", OBJECTIVE);
            target = target(objective);
            if ("Timeslices".equals(method)) {
                budgeting = timeslices(objective);
            } else if ("Occurrences".equals(method)) {
                budgeting = new Budgeting.Occurrences();
            }
        }
        Parsed p = sli == null ? null : sliSpec(sli, objective);
        if (name == null || window == null || target == null || budgeting == null || p == null) {
            return;
        }
        long now = System.currentTimeMillis() * 1000;
        objectives.add(new Objective(name, displayName(doc), service, p.series(), new ObjectiveLedger.Spec(name, p.indicator(),
                target, window, budgeting, BurnRule.standard(window.lengthAt(now)))));
    }

    /** The SLI spec node: inline (indicator.spec) or referenced (indicatorRef). */
    private Node indicator(MapNode spec) {
        Entry inline = spec.entries().get("indicator");
        Entry ref = spec.entries().get("indicatorRef");
        if ((inline == null) == (ref == null)) {
            error(spec.loc(), "an SLO needs exactly one of indicator (inline) or indicatorRef (an SLI's name)");
            return null;
        }
        if (ref != null) {
            String r = scalar(ref.value(), "indicatorRef");
            Node found = r == null ? null : slis.get(r);
            if (r != null && found == null) {
                error(ref.value().loc(), "no SLI named \"" + r + "\"" + suggestion(r, List.copyOf(slis.keySet()))
                        + (slis.isEmpty() ? " (this file defines none)" : " (SLIs here: " + String.join(", ", slis.keySet()) + ")"));
            }
            return found;
        }
        MapNode m = map(inline.value(), "indicator", "a mapping with metadata and spec, like an SLI");
        if (m == null) {
            return null;
        }
        Entry s = m.entries().get("spec");
        if (s == null) {
            error(m.loc(), "an inline indicator needs a spec with ratioMetric or thresholdMetric");
            return null;
        }
        return s.value();
    }

    private record Parsed(Objective.Series series, Indicator indicator) {
    }

    private Parsed sliSpec(Node node, MapNode objective) {
        MapNode spec = map(node, "an SLI's spec", "a mapping with ratioMetric or thresholdMetric");
        if (spec == null) {
            return null;
        }
        known(spec, "in an SLI's spec", SLI);
        Entry ratio = spec.entries().get("ratioMetric");
        Entry threshold = spec.entries().get("thresholdMetric");
        if ((ratio == null) == (threshold == null)) {
            error(spec.loc(), "an SLI needs exactly one of ratioMetric or thresholdMetric");
            return null;
        }
        if (threshold != null) {
            MapNode src = source(threshold.value(), "thresholdMetric");
            if (src == null) {
                return null;
            }
            Objective.Series series = series(src);
            Entry stat = src.entries().get("statistic");
            if (stat == null) {
                error(src.loc(), "a threshold indicator needs statistic: p50, p90, p95 or p99");
                return null;
            }
            String st = scalar(stat.value(), "statistic");
            Double q = st == null ? null : switch (st) {
                case "p50" -> 0.5;
                case "p90" -> 0.9;
                case "p95" -> 0.95;
                case "p99" -> 0.99;
                default -> null;
            };
            if (q == null) {
                error(stat.value().loc(), "statistic must be p50, p90, p95 or p99");
                return null;
            }
            if (objective == null) {
                return null;
            }
            Entry op = objective.entries().get("op");
            Entry value = objective.entries().get("value");
            if (op == null || value == null) {
                error(objective.loc(), "a threshold objective needs op: lte and value: the limit in milliseconds");
                return null;
            }
            String o = scalar(op.value(), "op");
            if (o != null && !o.equals("lte") && !o.equals("lt")) {
                error(op.value().loc(), "op must be lte or lt: a minute is good when its " + st + " is at most the value");
                return null;
            }
            Double ms = number(value.value(), "value");
            return series == null || ms == null ? null
                    : new Parsed(series, new Indicator.StatisticAtMost(q, Math.round(ms * 1000)));
        }
        MapNode r = map(ratio.value(), "ratioMetric", "a mapping with good (or bad) and total");
        if (r == null) {
            return null;
        }
        known(r, "in ratioMetric", RATIO);
        Entry good = r.entries().get("good");
        Entry bad = r.entries().get("bad");
        Entry total = r.entries().get("total");
        if ((good == null) == (bad == null) || total == null) {
            error(r.loc(), "ratioMetric needs total and exactly one of good or bad (raw ratios are not supported)");
            return null;
        }
        MapNode part = source((good != null ? good : bad).value(), good != null ? "good" : "bad");
        MapNode whole = source(total.value(), "total");
        Objective.Series partSeries = part == null ? null : series(part);
        Objective.Series totalSeries = whole == null ? null : series(whole);
        if (partSeries == null || totalSeries == null) {
            return null;
        }
        if (!partSeries.equals(totalSeries)) {
            error(whole.loc(), "total must name the same series as " + (good != null ? "good" : "bad") + " ("
                    + partSeries.dimension().wire() + " " + partSeries.key() + "): Vigil counts both from one series' windows");
            return null;
        }
        Entry faster = part.entries().get("durationAtMost");
        if (faster != null) {
            String d = scalar(faster.value(), "durationAtMost");
            try {
                return new Parsed(partSeries, new Indicator.FasterThan(Durations.parse(d).toNanos() / 1000));
            } catch (IllegalArgumentException e) {
                error(faster.value().loc(), "durationAtMost must be a duration such as 300ms");
                return null;
            }
        }
        return new Parsed(partSeries, new Indicator.NotFailed());
    }

    /** The spec of a Vigil metric source, after checking it is one. */
    private MapNode source(Node n, String field) {
        MapNode m = map(n, field, "a mapping with metricSource");
        if (m == null) {
            return null;
        }
        Entry ms = m.entries().get("metricSource");
        if (ms == null) {
            error(m.loc(), field + " needs a metricSource of type Vigil");
            return null;
        }
        MapNode src = map(ms.value(), "metricSource", "a mapping with type and spec");
        if (src == null) {
            return null;
        }
        known(src, "in metricSource", SOURCE);
        Entry type = src.entries().get("type");
        String t = type == null ? null : scalar(type.value(), "type");
        if (t == null || !t.equalsIgnoreCase("vigil")) {
            error(type == null ? src.loc() : type.value().loc(), "Vigil reads metric sources of type Vigil, whose spec names "
                    + "a KPI series: {dimension: peer, key: carrier-api}");
            return null;
        }
        Entry spec = src.entries().get("spec");
        MapNode s = spec == null ? null : map(spec.value(), "metricSource.spec", "a mapping with dimension and key");
        if (spec == null) {
            error(src.loc(), "a Vigil metric source needs spec: {dimension: ..., key: ...}");
        }
        if (s != null) {
            known(s, "in a Vigil metric source's spec", VIGIL_SPEC);
        }
        return s;
    }

    private Objective.Series series(MapNode s) {
        Entry dim = s.entries().get("dimension");
        Entry key = s.entries().get("key");
        if (dim == null || key == null) {
            error(s.loc(), "a Vigil metric source's spec needs dimension (service-operation, process-activity, peer or unit) and key");
            return null;
        }
        String d = scalar(dim.value(), "dimension");
        Dimension dimension = d == null ? null : WireName.parse(Dimension.values(), d).orElse(null);
        if (d != null && dimension == null) {
            List<String> all = java.util.Arrays.stream(Dimension.values()).map(Dimension::wire).toList();
            error(dim.value().loc(), "dimension must be one of " + String.join(", ", all) + suggestion(d, all));
            return null;
        }
        String k = scalar(key.value(), "key");
        Entry name = s.entries().get("name");
        String nm = name == null ? null : scalar(name.value(), "name");
        return dimension == null || k == null ? null : new Objective.Series(dimension, k, nm);
    }

    private TimeWindow window(MapNode spec) {
        Entry tw = spec.entries().get("timeWindow");
        if (tw == null) {
            error(spec.loc(), "an SLO needs timeWindow: [{duration: 28d, isRolling: true}] or a calendar window");
            return null;
        }
        if (!(tw.value() instanceof ListNode l) || l.items().size() != 1) {
            error(tw.value().loc(), "timeWindow is a list of exactly one window");
            return null;
        }
        MapNode w = map(l.items().get(0), "a time window", "a mapping with duration and isRolling or calendar");
        if (w == null) {
            return null;
        }
        known(w, "in a time window", WINDOW);
        Entry dur = w.entries().get("duration");
        String d = dur == null ? null : scalar(dur.value(), "duration");
        if (d == null || !d.matches("[1-9][0-9]*[mhdwMQY]")) {
            error(dur == null ? w.loc() : dur.value().loc(), "duration must be a number and one of m, h, d, w, M, Q, Y "
                    + "(e.g. 28d, 1M)");
            return null;
        }
        long n = Long.parseLong(d.substring(0, d.length() - 1));
        char unit = d.charAt(d.length() - 1);
        Entry cal = w.entries().get("calendar");
        Entry rolling = w.entries().get("isRolling");
        boolean isRolling = rolling != null ? "true".equals(scalar(rolling.value(), "isRolling")) : cal == null;
        if (isRolling) {
            if (cal != null) {
                error(cal.keyLoc(), "a rolling window takes no calendar: leave it out, or set isRolling: false");
                return null;
            }
            long minutes = switch (unit) {
                case 'm' -> n;
                case 'h' -> n * 60;
                case 'd' -> n * 1440;
                case 'w' -> n * 7 * 1440;
                default -> -1;
            };
            if (minutes < 0) {
                error(dur.value().loc(), "a rolling window is measured in m, h, d or w; months, quarters and years are "
                        + "calendar windows (isRolling: false with a calendar)");
                return null;
            }
            return new TimeWindow.Rolling(minutes * 60_000_000L);
        }
        if (cal == null) {
            error(w.loc(), "a calendar window needs calendar: {startTime: 2026-01-01 00:00:00, timeZone: UTC}");
            return null;
        }
        MapNode c = map(cal.value(), "calendar", "a mapping with startTime and timeZone");
        if (c == null) {
            return null;
        }
        known(c, "in calendar", CALENDAR);
        LocalDateTime start = null;
        ZoneId zone = null;
        Entry st = c.entries().get("startTime");
        Entry tz = c.entries().get("timeZone");
        if (st == null || tz == null) {
            error(c.loc(), "calendar needs startTime (e.g. 2026-01-01 00:00:00) and timeZone (e.g. Europe/Zurich)");
            return null;
        }
        try {
            start = LocalDateTime.parse(scalar(st.value(), "startTime").replace(' ', 'T'));
        } catch (DateTimeParseException | NullPointerException e) {
            error(st.value().loc(), "startTime must be a date and time such as 2026-01-01 00:00:00");
        }
        try {
            zone = ZoneId.of(scalar(tz.value(), "timeZone"));
        } catch (RuntimeException e) {
            error(tz.value().loc(), "timeZone must be an IANA zone such as Europe/Zurich or UTC");
        }
        if (start == null || zone == null) {
            return null;
        }
        return switch (unit) {
            case 'M' -> new TimeWindow.Calendar((int) n, 0, start, zone);
            case 'Q' -> new TimeWindow.Calendar((int) n * 3, 0, start, zone);
            case 'Y' -> new TimeWindow.Calendar((int) n * 12, 0, start, zone);
            case 'd' -> new TimeWindow.Calendar(0, (int) n, start, zone);
            case 'w' -> new TimeWindow.Calendar(0, (int) n * 7, start, zone);
            default -> {
                error(dur.value().loc(), "a calendar window is measured in d, w, M, Q or Y");
                yield null;
            }
        };
    }

    private Double target(MapNode objective) {
        Entry t = objective.entries().get("target");
        Entry p = objective.entries().get("targetPercent");
        if ((t == null) == (p == null)) {
            error(objective.loc(), "an objective needs exactly one of target (e.g. 0.999) or targetPercent (e.g. 99.9)");
            return null;
        }
        Double v = number((t != null ? t : p).value(), t != null ? "target" : "targetPercent");
        if (v == null) {
            return null;
        }
        double target = t != null ? v : v / 100;
        if (!(target > 0 && target < 1)) {
            error((t != null ? t : p).value().loc(), t != null ? "target must be between 0 and 1 (exclusive), e.g. 0.999"
                    : "targetPercent must be between 0 and 100 (exclusive), e.g. 99.9");
            return null;
        }
        return target;
    }

    private Budgeting timeslices(MapNode objective) {
        Entry t = objective.entries().get("timeSliceTarget");
        Entry w = objective.entries().get("timeSliceWindow");
        if (t == null || w == null) {
            error(objective.loc(), "Timeslices budgeting needs timeSliceTarget (e.g. 0.95) and timeSliceWindow (e.g. 5m)");
            return null;
        }
        Double target = number(t.value(), "timeSliceTarget");
        String win = scalar(w.value(), "timeSliceWindow");
        long minutes;
        try {
            minutes = win.matches("[0-9]+") ? Long.parseLong(win) : Durations.parse(win).toMinutes();
        } catch (RuntimeException e) {
            error(w.value().loc(), "timeSliceWindow must be a whole number of minutes, e.g. 5m or 1h");
            return null;
        }
        if (target == null) {
            return null;
        }
        try {
            return new Budgeting.Timeslices(minutes * 60_000_000L, target);
        } catch (IllegalArgumentException e) {
            error(minutes < 1 ? w.value().loc() : t.value().loc(), e.getMessage());
            return null;
        }
    }
}
