package dev.vigil.config.yaml;

import dev.vigil.assess.Budgeting;
import dev.vigil.assess.BurnRule;
import dev.vigil.assess.Indicator;
import dev.vigil.assess.Objective;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.assess.TimeWindow;
import dev.vigil.config.Durations;
import dev.vigil.event.WireName;
import dev.vigil.config.yaml.YamlTree.Entry;
import dev.vigil.config.yaml.YamlTree.ListNode;
import dev.vigil.config.yaml.YamlTree.Loc;
import dev.vigil.config.yaml.YamlTree.MapNode;
import dev.vigil.config.yaml.YamlTree.Node;
import dev.vigil.summarise.Dimension;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads OpenSLO v1 documents (docs/SLO.md) into objectives over Vigil's KPI windows. Indicators name a
 * Vigil series through a metric source of type {@code Vigil}; every problem is reported with file, line,
 * column and the fix, all at once. Kinds read: SLO, SLI, Service, AlertPolicy, AlertCondition,
 * AlertNotificationTarget, and Vigil's Contract. Names that other files may define (alert policies, conditions,
 * targets, the SLOs a contract covers) are left as references for {@link OpenSloLinker}; an SLI is looked up
 * in its SLO's own file.
 */
public final class OpenSloLoader extends YamlChecks {

    private static final List<String> KINDS = List.of("SLO", "SLI", "Service", "AlertPolicy", "AlertCondition",
            "AlertNotificationTarget", "DataSource", "Contract");
    private static final List<String> CONTRACT = List.of("supplier", "provider", "unit", "objectives", "period", "notes",
            "penaltyBands");
    private static final List<String> BAND = List.of("below", "consequence", "objective");
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
    private static final List<String> POLICY = List.of("description", "alertWhenNoData", "alertWhenResolved",
            "alertWhenBreaching", "conditions", "notificationTargets");
    private static final List<String> CONDITION = List.of("description", "severity", "condition");
    private static final List<String> BURN = List.of("kind", "op", "threshold", "lookbackWindow", "alertAfter");
    private static final List<String> TARGET = List.of("description", "target");
    private static final List<String> INLINE = List.of("apiVersion", "kind", "metadata", "spec");
    private static final List<String> OBJECTIVE = List.of("displayName", "op", "value", "target", "targetPercent",
            "timeSliceTarget", "timeSliceWindow");

    private final Map<String, Node> slis = new LinkedHashMap<>();
    /** Each document's name, checked once (null when it has none or a bad one). */
    private final Map<MapNode, String> names = new java.util.IdentityHashMap<>();
    private final List<Named<Objective>> objectives = new ArrayList<>();
    private final List<dev.vigil.assess.Contract> contracts = new ArrayList<>();
    private final List<Reference> references = new ArrayList<>();
    private final List<Named<BurnRule>> conditions = new ArrayList<>();
    private final List<Named<String>> targets = new ArrayList<>();
    private final List<Named<PolicyDraft>> policies = new ArrayList<>();
    private final List<PolicyUse> uses = new ArrayList<>();

    /** A contract's reference to an objective, resolved once every file is read. */
    public record Reference(String objective, String contract, ConfigError at) {
    }

    /** A name used where a document of any of the files may define it, and where it is used. */
    public record Ref(String name, ConfigError at) {
    }

    /** A document defined under a name, and where the name is written. */
    public record Named<T>(String name, T value, ConfigError at) {
    }

    /** An AlertPolicy as read: conditions and targets inline or by name. */
    public record PolicyDraft(String name, List<BurnRule> rules, List<Ref> conditionRefs, List<String> targets,
                              List<Ref> targetRefs, boolean notifyFiring, boolean notifyResolved) {
    }

    /** An SLO's alert policy: inline, or by name ({@code alertPolicyRef}). */
    public record PolicyUse(String objective, PolicyDraft inline, Ref ref) {
    }

    /**
     * What a file holds: objectives (their alert policies still to be applied), contracts, the names they
     * use, and the alerting documents it defines.
     */
    public record Documents(List<Named<Objective>> objectives, List<dev.vigil.assess.Contract> contracts, List<Reference> references,
                            List<Named<BurnRule>> conditions, List<Named<String>> targets, List<Named<PolicyDraft>> policies,
                            List<PolicyUse> uses) {
    }

    private OpenSloLoader(String file) {
        super(file);
    }

    /** Reads one file of OpenSLO documents, alert policies applied; {@code file} is how messages name it. */
    public static List<Objective> parse(String text, String file) throws InvalidConfig {
        List<ConfigError> errors = new ArrayList<>();
        List<Objective> out = OpenSloLinker.link(List.of(read(text, file)), errors).objectives();
        if (!errors.isEmpty()) {
            throw new InvalidConfig(errors);
        }
        return out;
    }

    /** Reads one file: objectives, and Vigil's contracts, whose references the caller resolves across files. */
    public static Documents read(String text, String file) throws InvalidConfig {
        OpenSloLoader l = new OpenSloLoader(file);
        List<Node> docs = YamlTree.parseAll(text, file, l.errors);
        List<MapNode> slos = new ArrayList<>();
        List<MapNode> contracts = new ArrayList<>();
        for (Node d : docs) {
            MapNode doc = l.document(d);
            String kind = doc == null ? null : l.kind(doc);
            if ("SLO".equals(kind)) {
                slos.add(doc);
            } else if ("Contract".equals(kind)) {
                contracts.add(doc);
            } else if ("AlertCondition".equals(kind)) {
                l.define(doc, l.conditions, l.conditionSpec(l.spec(doc, "AlertCondition", "severity and condition")));
            } else if ("AlertNotificationTarget".equals(kind)) {
                l.define(doc, l.targets, l.targetSpec(l.spec(doc, "AlertNotificationTarget", "target (a webhook URL)")));
            } else if ("AlertPolicy".equals(kind)) {
                l.define(doc, l.policies, l.policySpec(l.names.get(doc), l.spec(doc, "AlertPolicy", "conditions")));
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
        return new Documents(List.copyOf(l.objectives), List.copyOf(l.contracts), List.copyOf(l.references),
                List.copyOf(l.conditions), List.copyOf(l.targets), List.copyOf(l.policies), List.copyOf(l.uses));
    }

    private <T> void define(MapNode doc, List<Named<T>> into, T value) {
        String name = names.get(doc);
        if (name != null && value != null) {
            Loc at = ((MapNode) doc.entries().get("metadata").value()).entries().get("name").value().loc();
            into.add(new Named<>(name, value, located(at)));
        }
    }

    private ConfigError located(Loc at) {
        return new ConfigError(file, at.line(), at.column(), "");
    }

    /** A document's spec, or null with an error saying what it needs. */
    private MapNode spec(MapNode doc, String kind, String needs) {
        Entry s = doc.entries().get("spec");
        if (s == null) {
            error(doc.loc(), "an " + kind + " needs a spec with " + needs);
            return null;
        }
        return map(s.value(), "spec", "a mapping");
    }

    /** An AlertCondition's spec: a burn-rate condition, read as a multi-window rule (docs/SLO.md). */
    private BurnRule conditionSpec(MapNode spec) {
        if (spec == null) {
            return null;
        }
        known(spec, "in an AlertCondition's spec", CONDITION);
        Entry sev = spec.entries().get("severity");
        Entry cond = spec.entries().get("condition");
        if (sev == null || cond == null) {
            error(spec.loc(), "an AlertCondition needs severity (e.g. page) and condition (kind: burnrate, op: gte, "
                    + "threshold, lookbackWindow, alertAfter)");
            return null;
        }
        String severity = scalar(sev.value(), "severity");
        MapNode c = map(cond.value(), "condition", "a mapping with kind, op, threshold, lookbackWindow and alertAfter");
        if (c == null) {
            return null;
        }
        known(c, "in a condition", BURN);
        List<String> missing = BURN.stream().filter(f -> !c.entries().containsKey(f)).toList();
        if (!missing.isEmpty()) {
            error(c.loc(), "a condition needs " + String.join(", ", missing) + " (e.g. kind: burnrate, op: gte, "
                    + "threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m)");
            return null;
        }
        String kind = scalar(c.entries().get("kind").value(), "kind");
        if (kind != null && !kind.equalsIgnoreCase("burnrate")) {
            error(c.entries().get("kind").value().loc(), "Vigil alerts on error-budget burn: kind must be burnrate");
            kind = null;
        }
        String op = scalar(c.entries().get("op").value(), "op");
        if (op != null && !op.equals("gte") && !op.equals("gt")) {
            error(c.entries().get("op").value().loc(), "op must be gte or gt: a burn-rate alert fires when the burn "
                    + "rate reaches the threshold" + suggestion(op, List.of("gte", "gt")));
            op = null;
        }
        Double threshold = number(c.entries().get("threshold").value(), "threshold");
        if (threshold != null && !(threshold > 0)) {
            error(c.entries().get("threshold").value().loc(), "threshold is a burn rate above 0, e.g. 14.4 (the budget "
                    + "spent 14.4 times faster than the period allows)");
            threshold = null;
        }
        Long lookback = minutes(c.entries().get("lookbackWindow").value(), "lookbackWindow");
        Long after = minutes(c.entries().get("alertAfter").value(), "alertAfter");
        if (lookback != null && after != null && after > lookback) {
            error(c.entries().get("alertAfter").value().loc(), "alertAfter (the short window) must not be longer than "
                    + "lookbackWindow (the long one); the workbook uses a twelfth of it, e.g. 1h and 5m");
            return null;
        }
        if (severity == null || kind == null || op == null || threshold == null || lookback == null || after == null) {
            return null;
        }
        return new BurnRule(severity, threshold, lookback * 60_000_000L, after * 60_000_000L, op.equals("gte"));
    }

    /** A duration of whole minutes, at least one (and at most {@link YamlChecks#LONGEST}). */
    private Long minutes(Node n, String field) {
        String s = scalar(n, field);
        if (s == null) {
            return null;
        }
        try {
            java.time.Duration d = Durations.parse(s);
            if (d.toMinutes() >= 1 && d.toSeconds() % 60 == 0 && d.compareTo(LONGEST) <= 0) {
                return d.toMinutes();
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        error(n.loc(), field + " must be whole minutes, at least one (at most " + Durations.format(LONGEST) + "): e.g. "
                + "5m, 1h or 3d");
        return null;
    }

    private String targetSpec(MapNode spec) {
        if (spec == null) {
            return null;
        }
        known(spec, "in an AlertNotificationTarget's spec", TARGET);
        Entry t = spec.entries().get("target");
        if (t == null) {
            error(spec.loc(), "an AlertNotificationTarget needs target: the webhook URL Vigil posts alerts to");
            return null;
        }
        String url = scalar(t.value(), "target");
        if (url == null) {
            return null;
        }
        try {
            java.net.URI u = new java.net.URI(url);
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                return url;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        error(t.value().loc(), "Vigil posts alerts to webhooks (Alertmanager format): target must be an http(s) URL "
                + "such as https://alerts.example.com/vigil");
        return null;
    }

    private PolicyDraft policySpec(String name, MapNode spec) {
        if (spec == null) {
            return null;
        }
        known(spec, "in an AlertPolicy's spec", POLICY);
        Entry noData = spec.entries().get("alertWhenNoData");
        if (noData != null && Boolean.TRUE.equals(bool(noData.value(), "alertWhenNoData"))) {
            error(noData.value().loc(), "Vigil does not alert on missing data: set alertWhenNoData: false or leave it out");
        }
        Boolean firing = spec.entries().get("alertWhenBreaching") == null ? Boolean.TRUE
                : bool(spec.entries().get("alertWhenBreaching").value(), "alertWhenBreaching");
        Boolean resolved = spec.entries().get("alertWhenResolved") == null ? Boolean.TRUE
                : bool(spec.entries().get("alertWhenResolved").value(), "alertWhenResolved");
        if (Boolean.FALSE.equals(firing) && Boolean.FALSE.equals(resolved)) {
            error(spec.loc(), "this policy would notify nothing: alertWhenBreaching and alertWhenResolved are both false");
        }
        List<BurnRule> rules = new ArrayList<>();
        List<Ref> conditionRefs = new ArrayList<>();
        Entry conds = spec.entries().get("conditions");
        if (conds == null) {
            error(spec.loc(), "an AlertPolicy needs conditions: e.g. [{conditionRef: fast-burn}]");
        } else if (!(conds.value() instanceof ListNode list) || list.items().isEmpty()) {
            error(conds.value().loc(), "conditions must be a non-empty list of {conditionRef: NAME} or inline "
                    + "AlertCondition documents");
        } else {
            for (Node n : list.items()) {
                inlineOrRef(n, "AlertCondition", "conditionRef", rules, conditionRefs, this::conditionSpec);
            }
        }
        List<String> targetUrls = new ArrayList<>();
        List<Ref> targetRefs = new ArrayList<>();
        Entry tgts = spec.entries().get("notificationTargets");
        if (tgts != null) {
            if (!(tgts.value() instanceof ListNode list)) {
                error(tgts.value().loc(), "notificationTargets must be a list of {targetRef: NAME} or inline "
                        + "AlertNotificationTarget documents");
            } else {
                for (Node n : list.items()) {
                    inlineOrRef(n, "AlertNotificationTarget", "targetRef", targetUrls, targetRefs, this::targetSpec);
                }
            }
        }
        if (name == null || firing == null || resolved == null) {
            return null;
        }
        return new PolicyDraft(name, rules, conditionRefs, targetUrls, targetRefs, firing, resolved);
    }

    /**
     * One item of a list that takes either a reference ({@code {conditionRef: NAME}}) or the document inline
     * ({@code {kind: AlertCondition, metadata: {name: ...}, spec: ...}}).
     */
    private <T> void inlineOrRef(Node n, String kind, String refField, List<T> inline, List<Ref> refs,
                                 java.util.function.Function<MapNode, T> read) {
        MapNode item = map(n, "an item", "{" + refField + ": NAME} or an inline " + kind);
        if (item == null) {
            return;
        }
        Entry ref = item.entries().get(refField);
        if (ref != null) {
            known(item, "beside " + refField, List.of(refField));
            String name = scalar(ref.value(), refField);
            if (name != null) {
                refs.add(new Ref(name, located(ref.value().loc())));
            }
            return;
        }
        known(item, "in an inline " + kind + " (or write {" + refField + ": NAME})", INLINE);
        Entry k = item.entries().get("kind");
        String found = k == null ? null : scalar(k.value(), "kind");
        if (!kind.equals(found)) {
            error(k == null ? item.loc() : k.value().loc(), "an item here is {" + refField + ": NAME} or an inline "
                    + "document with kind: " + kind);
            return;
        }
        T value = read.apply(spec(item, kind, "its fields"));
        if (value != null) {
            inline.add(value);
        }
    }

    private Boolean bool(Node n, String field) {
        String s = scalar(n, field);
        if ("true".equals(s) || "false".equals(s)) {
            return Boolean.valueOf(s);
        }
        if (s != null) {
            error(n.loc(), field + " must be true or false");
        }
        return null;
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
            if (period != null && !period.matches("[1-9][0-9]{0,2}[MQY]")) {
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
                // Mildest to strictest for each objective named, and for the bands that name none.
                Map<String, Double> previous = new HashMap<>();
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
                    Entry of = band.entries().get("objective");
                    String objective = of == null ? null : scalar(of.value(), "objective");
                    if (objective != null && objectiveNames != null && !objectiveNames.contains(objective)) {
                        error(of.value().loc(), "the band's objective " + Quote.value(objective) + " is not one of the "
                                + "contract's objectives (" + String.join(", ", objectiveNames.stream().map(Quote::name).toList())
                                + "); name one of them, or leave objective out for a band that holds for all");
                        continue;
                    }
                    String group = objective == null ? "" : objective;
                    Double b = number(below.value(), "below");
                    if (b != null && (b <= 0 || b > 100)) {
                        error(below.value().loc(), "below is a percentage in (0, 100]");
                    } else if (b != null && b >= previous.getOrDefault(group, 100.0)) {
                        error(below.value().loc(), "penalty bands go from the mildest to the strictest: each below lower "
                                + "than the one before" + (objective == null ? "" : " for objective " + Quote.name(objective)));
                    } else if (b != null) {
                        previous.put(group, b);
                        bands.add(new dev.vigil.assess.Contract.PenaltyBand(b, scalar(what.value(), "consequence"), objective));
                    }
                }
            }
        }
        if (name != null && party != null && objectiveNames != null && period != null) {
            contracts.add(new dev.vigil.assess.Contract(name, displayName(doc), party, supplier != null, unit,
                    objectiveNames, period, notes, bands));
        }
    }

    /** The kind of a document {@link #document} accepted (it reported any problem with it). */
    private String kind(MapNode doc) {
        Entry k = doc.entries().get("kind");
        return k != null && k.value() instanceof YamlTree.Scalar s ? s.text() : null;
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
        String version = api == null ? null : scalar(api.value(), "apiVersion");
        if (api == null) {
            error(doc.loc(), "missing apiVersion: write apiVersion: " + expected);
        } else if (version != null && !expected.equals(version)) {
            error(api.value().loc(), "Contract".equals(k) ? "a Contract is Vigil's extension: apiVersion must be vigil.dev/v1"
                    : "apiVersion must be openslo/v1 (Vigil reads OpenSLO v1)");
        }
        if (kind == null) {
            error(doc.loc(), "missing kind: one of " + String.join(", ", KINDS));
            return null;
        }
        if (k == null) {
            return null;
        }
        if (!KINDS.contains(k)) {
            error(kind.value().loc(), "unknown kind " + Quote.value(k) + suggestion(k, KINDS) + " (kinds: " + String.join(", ", KINDS) + ")");
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
            error(n.value().loc(), "metadata.name " + Quote.value(name) + " must be lowercase letters, digits and '-', start and end "
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
        Entry ap = spec.entries().get("alertPolicies");
        if (ap != null && !(ap.value() instanceof ListNode)) {
            error(ap.value().loc(), "alertPolicies must be a list of {alertPolicyRef: NAME} or inline AlertPolicy documents");
        } else if (ap != null) {
            for (Node n : ((ListNode) ap.value()).items()) {
                List<PolicyDraft> inline = new ArrayList<>();
                List<Ref> refs = new ArrayList<>();
                inlineOrRef(n, "AlertPolicy", "alertPolicyRef", inline, refs,
                        m -> policySpec(n instanceof MapNode item ? name(item) : null, m));
                inline.forEach(d -> uses.add(new PolicyUse(name, d, null)));
                refs.forEach(r -> uses.add(new PolicyUse(name, null, r)));
            }
        }
        if (name == null || window == null || target == null || budgeting == null || p == null) {
            return;
        }
        long now = System.currentTimeMillis() * 1000;
        define(doc, objectives, new Objective(name, displayName(doc), service, p.series(), new ObjectiveLedger.Spec(name,
                p.indicator(), target, window, budgeting, BurnRule.standard(window.lengthAt(now)))));
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
                error(ref.value().loc(), "no SLI named " + Quote.value(r) + suggestion(r, List.copyOf(slis.keySet()))
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
                    + partSeries.dimension().wire() + " " + Quote.name(partSeries.key()) + "): Vigil counts both from one series' windows");
            return null;
        }
        Entry faster = part.entries().get("durationAtMost");
        if (faster != null) {
            // Not a single value (durationAtMost: null, a list, a mapping): scalar says so, and there is no indicator.
            String d = scalar(faster.value(), "durationAtMost");
            java.time.Duration limit = d == null ? null : duration(d, faster.value().loc(), "durationAtMost");
            return limit == null ? null : new Parsed(partSeries, new Indicator.FasterThan(limit.toNanos() / 1000));
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
        if (type != null && t == null) {
            return null;
        }
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

    /**
     * The series an objective may judge: not yet the dependency map's (paired spans), whose windows reach the store
     * by their own merge on Flink (see VigilJob) and are not fed to the assess stage.
     */
    private static final java.util.Set<Dimension> JUDGED = java.util.EnumSet.range(Dimension.SERVICE_OPERATION, Dimension.CALL);

    private Objective.Series series(MapNode s) {
        Entry dim = s.entries().get("dimension");
        Entry key = s.entries().get("key");
        if (dim == null || key == null) {
            error(s.loc(), "a Vigil metric source's spec needs dimension (service-operation, process-activity, peer or unit) and key");
            return null;
        }
        String d = scalar(dim.value(), "dimension");
        Dimension dimension = d == null ? null : WireName.parse(JUDGED.toArray(Dimension[]::new), d).orElse(null);
        if (d != null && dimension == null) {
            List<String> all = JUDGED.stream().map(Dimension::wire).toList();
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
        if (dur != null && d == null) {
            return null;
        }
        if (d == null || !d.matches("[1-9][0-9]{0,6}[mhdwMQY]")) {
            error(dur == null ? w.loc() : dur.value().loc(), "duration must be a number and one of m, h, d, w, M, Q, Y "
                    + "(e.g. 28d, 1M)");
            return null;
        }
        long n = Long.parseLong(d.substring(0, d.length() - 1));
        char unit = d.charAt(d.length() - 1);
        long days = n * switch (unit) {
            case 'm', 'h' -> 0;
            case 'd' -> 1;
            case 'w' -> 7;
            case 'M' -> 31;
            case 'Q' -> 92;
            default -> 366;
        } + (unit == 'h' ? n / 24 : unit == 'm' ? n / 1440 : 0);
        if (days > 3660) {
            error(dur.value().loc(), "a time window is at most 10 years long, e.g. 28d, 1M, 1Q or 1Y");
            return null;
        }
        Entry cal = w.entries().get("calendar");
        Entry rolling = w.entries().get("isRolling");
        Boolean isRolling = rolling != null ? bool(rolling.value(), "isRolling") : Boolean.valueOf(cal == null);
        if (isRolling == null) {
            return null;
        }
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
        String startText = scalar(st.value(), "startTime");
        String zoneText = scalar(tz.value(), "timeZone");
        try {
            start = startText == null ? null : LocalDateTime.parse(startText.replace(' ', 'T'));
        } catch (DateTimeParseException e) {
            error(st.value().loc(), "startTime must be a date and time such as 2026-01-01 00:00:00");
        }
        try {
            zone = zoneText == null ? null : ZoneId.of(zoneText);
        } catch (java.time.DateTimeException e) {
            error(tz.value().loc(), "timeZone must be an IANA zone such as Europe/Zurich or UTC");
        }
        if (start != null && (start.getYear() < 1 || start.getYear() > 9999)) {
            error(st.value().loc(), "startTime must be a date and time between the years 1 and 9999, such as 2026-01-01 00:00:00");
            return null;
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
        if (target != null && !(target > 0 && target <= 1)) {
            error(t.value().loc(), "timeSliceTarget is the share of a slice that must be good, in (0, 1], e.g. 0.95");
            target = null;
        }
        String win = scalar(w.value(), "timeSliceWindow");
        Long minutes = null;
        if (win != null && win.matches("[0-9]{1,9}")) {
            minutes = Long.parseLong(win);
        } else if (win != null) {
            try {
                java.time.Duration d = Durations.parse(win);
                minutes = d.toSeconds() % 60 == 0 && d.compareTo(LONGEST) <= 0 ? d.toMinutes() : null;
            } catch (IllegalArgumentException e) {
                minutes = null;
            }
        }
        if (win != null && (minutes == null || minutes < 1 || minutes > LONGEST.toMinutes())) {
            error(w.value().loc(), "timeSliceWindow must be a whole number of minutes, e.g. 5m or 1h");
            return null;
        }
        return target == null || minutes == null ? null : new Budgeting.Timeslices(minutes * 60_000_000L, target);
    }
}
