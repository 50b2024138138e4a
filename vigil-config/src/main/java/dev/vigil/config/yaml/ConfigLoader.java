package dev.vigil.config.yaml;

import dev.vigil.config.Durations;
import dev.vigil.config.EstateDeclaration;
import dev.vigil.config.VigilConfig;
import dev.vigil.correlate.ProcessDef;
import dev.vigil.correlate.Processes;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.interpret.FieldPath;
import dev.vigil.interpret.Rule;
import dev.vigil.interpret.SourceRules;
import dev.vigil.interpret.TimeFormat;
import dev.vigil.interpret.ValueSpec;
import dev.vigil.order.LatenessPolicy;
import dev.vigil.config.yaml.YamlTree.Entry;
import dev.vigil.config.yaml.YamlTree.ListNode;
import dev.vigil.config.yaml.YamlTree.Loc;
import dev.vigil.config.yaml.YamlTree.MapNode;
import dev.vigil.config.yaml.YamlTree.Node;
import dev.vigil.config.yaml.YamlTree.Null;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads vigil.yaml (docs/CONFIG.md) into a {@link VigilConfig}, checking all of it: every problem is
 * reported with file, line, column and the fix, and nothing is half-loaded.
 */
public final class ConfigLoader extends YamlChecks {

    private static final List<String> TOP = List.of("pipeline", "sources", "processes", "objectives", "alerting",
            "telemetry", "scrape", "estate");
    private static final List<String> ESTATE = List.of("interactions", "hostAliases", "processGroups", "weights",
            "transactions");
    private static final List<String> TELEMETRY = List.of("spanKeys", "pairWithin");
    private static final List<String> SCRAPE = List.of("interval", "targets");
    private static final List<String> TARGET = List.of("url", "host", "interval", "labels");
    /** Prometheus's default scrape interval. */
    private static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(15);
    private static final List<String> ALERTING = List.of("webhooks");
    private static final List<String> PIPELINE = List.of("allowedLateness", "maxLateness", "idleTimeout", "partitions",
            "checkpointEvery");
    private static final List<String> SOURCE = List.of("rules");
    private static final List<String> RULE = List.of("when", "time", "timeFormat", "name", "kind", "correlation",
            "outcome", "duration", "durationUnit", "peer", "unit", "source", "attributes");
    private static final List<String> FROM = List.of("from", "map", "default");
    private static final List<String> PROCESS = List.of("activities", "start", "end", "keys", "stuckAfter");
    private static final Map<String, Double> UNITS = Map.of("ns", 0.001, "us", 1.0, "ms", 1000.0, "s", 1_000_000.0);

    private ConfigLoader(String file) {
        super(file);
    }

    /** The largest file read: the YAML reader takes 3 MB of text, which may take up to 4 bytes a character. */
    private static final int LARGEST = 12 * 1024 * 1024;

    /** Loads a file; its name as given is what error messages quote. */
    public static VigilConfig load(Path path) throws InvalidConfig {
        return parse(read(path), path.toString());
    }

    /**
     * A file's text, or the reason it has none as a problem at its start (cannot be read) or at the first byte
     * that is not UTF-8.
     */
    static String read(Path path) throws InvalidConfig {
        String file = path.toString();
        byte[] bytes;
        if (Files.isDirectory(path)) {
            throw new InvalidConfig(List.of(new ConfigError(file, 1, 1, "this is a folder; name the file in it")));
        }
        try (java.io.InputStream in = Files.newInputStream(path)) {
            // At most what the YAML reader takes (3 MB of text), and a little more to know it is more.
            bytes = in.readNBytes(LARGEST + 1);
        } catch (IOException e) {
            throw new InvalidConfig(List.of(new ConfigError(file, 1, 1, "cannot read the file: " + why(e))));
        }
        if (bytes.length > LARGEST) {
            throw new InvalidConfig(List.of(new ConfigError(file, 1, 1, "the file is larger than "
                    + LARGEST / (1024 * 1024) + " MB; a configuration file is far smaller, is this the right file?")));
        }
        java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        java.nio.charset.CoderResult r = utf8.decode(in, out, true);
        if (r.isError()) {
            // The place of the first bad byte: lines and columns of the text decoded before it.
            int line = 1;
            int column = 1;
            for (int i = 0; i < out.position(); i++) {
                if (out.get(i) == '\n') {
                    line++;
                    column = 1;
                } else if (!Character.isLowSurrogate(out.get(i))) {
                    column++;
                }
            }
            throw new InvalidConfig(List.of(new ConfigError(file, line, column, String.format("the byte 0x%02X is not "
                    + "UTF-8 text; save the file as UTF-8", bytes[in.position()] & 0xff))));
        }
        utf8.flush(out);
        return out.flip().toString();
    }

    /** Why a file cannot be read, in words (not the exception's). */
    static String why(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "there is no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return Quote.text(f.getReason(), 100);
        }
        return "an input/output error";
    }

    public static VigilConfig parse(String text, String file) throws InvalidConfig {
        ConfigLoader l = new ConfigLoader(file);
        Node root = YamlTree.parse(text, file, l.errors);
        VigilConfig c = l.config(root);
        if (!l.errors.isEmpty()) {
            throw new InvalidConfig(l.sortedErrors());
        }
        return c;
    }

    private VigilConfig config(Node root) {
        if (root instanceof Null) {
            return new VigilConfig(file, LatenessPolicy.DEFAULT, 0, 30_000, Map.of(), Processes.NONE, List.of(), List.of(),
                    List.of(), Map.of(), List.of(), dev.vigil.link.Linker.DEFAULT_WAIT_MICROS, EstateDeclaration.NONE);
        }
        MapNode top = map(root, "the file", "a mapping with pipeline, sources and processes");
        if (top == null) {
            return null;
        }
        known(top, "at the top level", TOP);
        LatenessPolicy lateness = LatenessPolicy.DEFAULT;
        int partitions = 0;
        long checkpointMillis = 30_000;
        Entry pipe = top.entries().get("pipeline");
        if (pipe != null) {
            MapNode m = map(pipe.value(), "pipeline", "a mapping of settings such as allowedLateness: 5s");
            if (m != null) {
                known(m, "in pipeline", PIPELINE);
                Duration allowed = duration(m, "allowedLateness", Duration.ofNanos(LatenessPolicy.DEFAULT.allowedLatenessMicros() * 1000));
                Duration max = duration(m, "maxLateness", Duration.ofNanos(LatenessPolicy.DEFAULT.maxLatenessMicros() * 1000));
                Duration idle = duration(m, "idleTimeout", Duration.ofMillis(LatenessPolicy.DEFAULT.idleTimeoutMillis()));
                Duration every = duration(m, "checkpointEvery", Duration.ofSeconds(30));
                if (allowed != null && max != null && max.compareTo(allowed) < 0) {
                    Entry e = m.entries().get("maxLateness");
                    Loc at = e != null ? e.value().loc() : m.loc();
                    error(at, "maxLateness (" + Durations.format(max) + ") must be at least allowedLateness ("
                            + Durations.format(allowed) + "); raise maxLateness or lower allowedLateness");
                } else if (allowed != null && max != null && idle != null) {
                    lateness = new LatenessPolicy(allowed.toNanos() / 1000, max.toNanos() / 1000, idle.toMillis());
                }
                if (every != null) {
                    if (every.toMillis() < 1000) {
                        error(m.entries().get("checkpointEvery").value().loc(),
                                "checkpointEvery must be at least 1s: each checkpoint writes all operator state");
                    }
                    checkpointMillis = every.toMillis();
                }
                Entry p = m.entries().get("partitions");
                if (p != null) {
                    Integer n = integer(p.value(), "partitions");
                    if (n != null && (n < 1 || n > 256)) {
                        error(p.value().loc(), "partitions must be between 1 and 256 (or leave it out for one per core)");
                    } else if (n != null) {
                        partitions = n;
                    }
                }
            }
        }
        Map<String, SourceRules> sources = new LinkedHashMap<>();
        Entry src = top.entries().get("sources");
        if (src != null) {
            MapNode m = map(src.value(), "sources", "a mapping of source name to its rules");
            if (m != null) {
                for (Entry e : m.entries().values()) {
                    if (!SourceRules.isValidName(e.key())) {
                        error(e.keyLoc(), "source name " + Quote.value(e.key()) + " must be 1-128 letters, digits, '.', '_' or '-' "
                                + "(it goes into the URL: /ingest/events?source=NAME)");
                        continue;
                    }
                    SourceRules s = source(e);
                    if (s != null) {
                        sources.put(e.key(), s);
                    }
                }
            }
        }
        Processes processes = Processes.NONE;
        Entry proc = top.entries().get("processes");
        if (proc != null) {
            MapNode m = map(proc.value(), "processes", "a mapping of process name to its definition");
            if (m != null) {
                processes = processes(m);
            }
        }
        List<dev.vigil.assess.Objective> objectives = top.entries().containsKey("objectives") ? objectives(top) : List.of();
        List<String> webhooks = List.of();
        Entry alerting = top.entries().get("alerting");
        if (alerting != null) {
            MapNode a = map(alerting.value(), "alerting", "a mapping with webhooks: [https://...]");
            if (a != null) {
                known(a, "in alerting", ALERTING);
                List<String> urls = a.entries().containsKey("webhooks")
                        ? strings(a, "webhooks", "alerting", a.loc(), "a list of URLs that take Alertmanager webhook JSON") : null;
                if (urls != null) {
                    Entry w = a.entries().get("webhooks");
                    for (String u : urls) {
                        if (!u.startsWith("http://") && !u.startsWith("https://")) {
                            error(w.value().loc(), "webhook " + Quote.value(u) + " must be an http:// or https:// URL");
                        }
                    }
                    webhooks = urls;
                }
            }
        }
        Map<String, List<String>> spanKeys = Map.of();
        // A pair settled at the end of the wait must still amend its minute: the wait and the allowed lateness
        // together stay within maxLateness. Left out, the wait is 30 s, or less when the lateness leaves less room.
        long room = lateness.maxLatenessMicros() - lateness.allowedLatenessMicros();
        long pairWithin = Math.max(1_000, Math.min(dev.vigil.link.Linker.DEFAULT_WAIT_MICROS, room));
        Entry telemetry = top.entries().get("telemetry");
        if (telemetry != null) {
            MapNode t = map(telemetry.value(), "telemetry", "a mapping with spanKeys: {orderId: [order.id]}");
            if (t != null) {
                known(t, "in telemetry", TELEMETRY);
                Entry keys = t.entries().get("spanKeys");
                if (keys != null) {
                    spanKeys = spanKeys(keys);
                }
                Entry pw = t.entries().get("pairWithin");
                Duration wait = pw == null ? null : duration(t, "pairWithin", null);
                if (wait != null) {
                    if (wait.toMillis() < 1 || wait.toNanos() / 1000 > room) {
                        error(pw.value().loc(), "pairWithin must be between 1ms and " + Durations.format(
                                Duration.ofNanos(room * 1000)) + " (maxLateness less allowedLateness, so that a pair "
                                + "found at the end of the wait still counts in its minute); raise maxLateness or "
                                + "shorten pairWithin");
                    } else {
                        pairWithin = wait.toNanos() / 1000;
                    }
                }
            }
        }
        List<dev.vigil.infra.ScrapeTarget> scrapes = List.of();
        Entry scrape = top.entries().get("scrape");
        if (scrape != null) {
            MapNode sm = map(scrape.value(), "scrape", "a mapping with targets: [{url: http://HOST:9100/metrics}]");
            if (sm != null) {
                scrapes = scrapeTargets(sm);
            }
        }
        EstateDeclaration estate = EstateDeclaration.NONE;
        Entry est = top.entries().get("estate");
        if (est != null) {
            MapNode em = map(est.value(), "estate", "a mapping with interactions: {web: [orders, postgres]}");
            if (em != null) {
                // Names as written, valid or not: a process refused for its own reasons is reported once, there.
                java.util.Set<String> declared = proc != null && proc.value() instanceof MapNode pm
                        ? pm.entries().keySet() : java.util.Set.of();
                estate = estate(em, declared);
            }
        }
        return new VigilConfig(file, lateness, partitions, checkpointMillis, sources, processes, objectives, contracts, webhooks,
                spanKeys, scrapes, pairWithin, estate);
    }

    /** {@code scrape: {interval: 15s, targets: [{url, host, interval, labels}]}}. */
    private List<dev.vigil.infra.ScrapeTarget> scrapeTargets(MapNode sm) {
        known(sm, "in scrape", SCRAPE);
        Duration every = duration(sm, "interval", SCRAPE_INTERVAL);
        if (every != null && every.toMillis() < 1000) {
            error(sm.entries().get("interval").value().loc(), "a scrape interval must be at least 1s (Prometheus's "
                    + "default is 15s)");
            every = null;
        }
        Entry targets = sm.entries().get("targets");
        List<dev.vigil.infra.ScrapeTarget> out = new ArrayList<>();
        if (targets == null) {
            error(sm.loc(), "scrape needs \"targets\": a list such as [{url: http://web-3:9100/metrics}]");
            return out;
        }
        if (!(targets.value() instanceof ListNode list)) {
            error(targets.value().loc(), "targets of scrape must be a list such as [{url: http://web-3:9100/metrics}]");
            return out;
        }
        java.util.Set<String> urls = new java.util.HashSet<>();
        for (Node item : list.items()) {
            MapNode t = map(item, "a scrape target", "a mapping with url: and maybe host:, interval:, labels:");
            if (t == null) {
                continue;
            }
            known(t, "in a scrape target", TARGET);
            Entry u = t.entries().get("url");
            if (u == null) {
                error(t.loc(), "a scrape target needs \"url\": where its metrics are, e.g. http://web-3:9100/metrics");
                continue;
            }
            String url = scalar(u.value(), "url");
            if (url == null) {
                continue;
            }
            java.net.URI uri;
            try {
                uri = new java.net.URI(url);
            } catch (java.net.URISyntaxException e) {
                error(u.value().loc(), "url " + Quote.value(url) + " is not a URL: " + e.getReason());
                continue;
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                error(u.value().loc(), "url " + Quote.value(url) + " must be an http:// or https:// URL with a host, "
                        + "e.g. http://web-3:9100/metrics");
                continue;
            }
            if (!urls.add(url)) {
                error(u.value().loc(), "url " + Quote.value(url) + " is scraped twice; list each target once");
                continue;
            }
            String host = uri.getHost();
            Entry h = t.entries().get("host");
            if (h != null) {
                host = scalar(h.value(), "host");
                if (host == null) {
                    continue;
                }
                if (host.isBlank()) {
                    error(h.value().loc(), "host must not be blank: the host this target describes, e.g. web-3");
                    continue;
                }
            }
            Duration interval = duration(t, "interval", every);
            if (interval == null) {
                continue;
            }
            if (interval.toMillis() < 1000) {
                error(t.entries().get("interval").value().loc(), "a scrape interval must be at least 1s (Prometheus's "
                        + "default is 15s)");
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            Entry l = t.entries().get("labels");
            if (l != null) {
                MapNode lm = map(l.value(), "labels", "a mapping of label name to value, e.g. {dc: eu-1}");
                if (lm == null) {
                    continue;
                }
                for (Entry le : lm.entries().values()) {
                    String v = scalar(le.value(), le.key());
                    if (v != null) {
                        labels.put(le.key(), v);
                    }
                }
            }
            out.add(new dev.vigil.infra.ScrapeTarget(url, host, interval.toMillis(), labels));
        }
        return out;
    }

    /** {@code estate: {interactions: {web: [orders, postgres]}, hostAliases: {ip-10-0-0-7: db-1}, processGroups: {java: shipping}}}. */
    private EstateDeclaration estate(MapNode em, java.util.Set<String> processes) {
        known(em, "in estate", ESTATE);
        Map<String, List<String>> calls = new LinkedHashMap<>();
        Entry i = em.entries().get("interactions");
        MapNode im = i == null ? null : map(i.value(), "interactions", "a mapping of a service to what it calls, "
                + "e.g. {web: [orders, postgres, parcelco]}");
        if (im != null) {
            for (Entry e : im.entries().values()) {
                if (e.key().isBlank()) {
                    error(e.keyLoc(), "an interaction needs the calling service's name, e.g. web: [orders]");
                    continue;
                }
                List<String> callees = e.value() instanceof ListNode
                        ? strings(im, e.key(), "interactions", e.keyLoc(), "what " + e.key() + " calls")
                        : java.util.Optional.ofNullable(scalar(e.value(), e.key())).map(List::of).orElse(null);
                if (callees != null) {
                    calls.put(e.key(), callees);
                }
            }
        }
        Map<String, String> aliases = renames(em, "hostAliases", "a mapping of a host name as a source gives it to the name "
                + "Vigil uses, e.g. {ip-10-0-0-7: db-1}", from -> "the alias of " + Quote.value(from) + " is empty: give "
                + "the host's name, as its scrape target names it");
        // An alias names the host as Vigil knows it: one that names another alias would rename twice (or swap two
        // names, and the two sources would never meet).
        Entry aliasEntry = em.entries().get("hostAliases");
        if (aliasEntry != null && aliasEntry.value() instanceof MapNode am) {
            for (Entry e : am.entries().values()) {
                String to = aliases.get(e.key());
                if (to != null && !to.equals(e.key()) && e.key().equals(aliases.get(to))) {
                    error(e.value().loc(), "hosts " + Quote.value(e.key()) + " and " + Quote.value(to) + " are aliases of "
                            + "each other, so the two names never meet: keep one of the two lines, the one whose right "
                            + "side is the name Vigil should use");
                } else if (to != null && aliases.containsKey(to) && !to.equals(e.key())) {
                    error(e.value().loc(), "host " + Quote.value(e.key()) + " is an alias of " + Quote.value(to)
                            + ", which is itself an alias (of " + Quote.value(aliases.get(to)) + "): name the host as "
                            + "Vigil should know it, e.g. " + e.key() + ": " + aliases.get(to));
                } else if (to != null && to.equals(e.key())) {
                    error(e.value().loc(), "host " + Quote.value(e.key()) + " is its own alias: remove the line");
                }
            }
        }
        Map<String, String> groups = renames(em, "processGroups", "a mapping of a process exporter's group name to the "
                + "service it is, e.g. {java: shipping}", from -> "the service of process group " + Quote.value(from)
                + " is empty: give the service's name, as its events or spans give it");
        Map<String, Double> weights = new LinkedHashMap<>();
        Entry w = em.entries().get("weights");
        MapNode wm = w == null ? null : map(w.value(), "weights", "a mapping of a service to its weight on the hosts "
                + "it shares, e.g. {shipping: 3, audit: 0.5}");
        if (wm != null) {
            for (Entry e : wm.entries().values()) {
                String text = scalar(e.value(), e.key());
                if (text == null) {
                    continue;
                }
                double weight;
                try {
                    weight = Double.parseDouble(text.strip());
                } catch (NumberFormatException x) {
                    weight = Double.NaN;
                }
                if (!(weight > 0) || Double.isInfinite(weight)) {
                    error(e.value().loc(), "the weight of " + Quote.value(e.key()) + " is " + Quote.value(text)
                            + ": give a positive number (1 when left out), e.g. " + e.key() + ": 2");
                } else {
                    weights.put(e.key(), weight);
                }
            }
        }
        Map<String, String> transactions = renames(em, "transactions", "a mapping of a service to the process whose "
                + "cases are its business transactions, e.g. {order-service: order-to-cash}", from -> "the process of "
                + Quote.value(from) + " is empty: give the name of a process declared under processes");
        Entry t = em.entries().get("transactions");
        if (t != null && t.value() instanceof MapNode tm) {
            for (Entry e : tm.entries().values()) {
                String process = transactions.get(e.key());
                if (process != null && !processes.contains(process)) {
                    error(e.value().loc(), "process " + Quote.value(process) + " is not declared under processes"
                            + (processes.isEmpty() ? " (none is)" : "; declared: " + String.join(", ", processes)));
                    transactions.remove(e.key());
                }
            }
        }
        return new EstateDeclaration(calls, aliases, groups, weights, transactions);
    }

    /** A mapping of names to other names ({@code {from: to}}), each value a non-empty text. */
    private Map<String, String> renames(MapNode owner, String field, String hint,
                                        java.util.function.UnaryOperator<String> emptyMessage) {
        Map<String, String> out = new LinkedHashMap<>();
        Entry f = owner.entries().get(field);
        MapNode m = f == null ? null : map(f.value(), field, hint);
        if (m != null) {
            for (Entry e : m.entries().values()) {
                String to = scalar(e.value(), e.key());
                if (to != null && to.isBlank()) {
                    error(e.value().loc(), emptyMessage.apply(e.key()));
                } else if (to != null) {
                    out.put(e.key(), to);
                }
            }
        }
        return out;
    }

    /** {@code spanKeys: {orderId: [order.id, app.order_id], customerId: customer.id}}: a list, or one attribute. */
    private Map<String, List<String>> spanKeys(Entry keys) {
        MapNode m = map(keys.value(), "spanKeys", "a mapping of correlation key to the span attributes that hold it, "
                + "e.g. {orderId: [order.id]}");
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (m == null) {
            return out;
        }
        for (Entry e : m.entries().values()) {
            if (e.key().isBlank()) {
                error(e.keyLoc(), "a span key needs a name: the correlation key it becomes, e.g. orderId");
                continue;
            }
            List<String> attributes;
            if (e.value() instanceof ListNode) {
                attributes = strings(m, e.key(), "spanKeys", e.keyLoc(), "the span attributes that hold " + e.key());
            } else {
                String one = scalar(e.value(), e.key());
                attributes = one == null ? null : List.of(one);
            }
            if (attributes == null) {
                continue;
            }
            if (attributes.stream().anyMatch(String::isBlank)) {
                error(e.value().loc(), "the attributes of span key " + Quote.value(e.key()) + " must not be blank");
                continue;
            }
            out.put(e.key(), attributes);
        }
        return out;
    }

    private SourceRules source(Entry e) {
        String what = "source " + e.key();
        MapNode m = map(e.value(), what, "a mapping with rules: [...]");
        if (m == null) {
            return null;
        }
        known(m, "in " + what, SOURCE);
        Entry rules = m.entries().get("rules");
        if (rules == null) {
            error(e.keyLoc(), what + " needs \"rules\": a list of rules, each saying where time and name come from");
            return null;
        }
        if (!(rules.value() instanceof ListNode list) || list.items().isEmpty()) {
            error(rules.value().loc(), "rules of " + what + " must be a non-empty list (each item starts with '- ')");
            return null;
        }
        List<Rule> out = new ArrayList<>();
        for (Node n : list.items()) {
            Rule r = rule(n, what);
            if (r != null) {
                out.add(r);
            }
        }
        return out.size() == list.items().size() ? new SourceRules(e.key(), out) : null;
    }

    private Rule rule(Node n, String source) {
        MapNode m = map(n, "a rule of " + source, "a mapping such as {time: $.ts, name: $.type}");
        if (m == null) {
            return null;
        }
        int before = errors.size();
        known(m, "in a rule", RULE);
        List<Rule.Condition> when = new ArrayList<>();
        Entry w = m.entries().get("when");
        if (w != null) {
            MapNode wm = map(w.value(), "when", "a mapping of field path to the value it must have, e.g. {$.type: OrderPlaced}");
            if (wm != null) {
                for (Entry c : wm.entries().values()) {
                    FieldPath p = path(c.key(), c.keyLoc(), "a condition");
                    String v = scalar(c.value(), "the value $.x must have");
                    if (p != null && v != null) {
                        when.add(new Rule.Condition(p, v));
                    }
                }
            }
        }
        FieldPath time = null;
        Entry t = m.entries().get("time");
        if (t == null) {
            error(m.loc(), "a rule needs \"time\": the path of the event's time ($.timestamp), or \"received\" for the time it arrives");
        } else {
            String s = scalar(t.value(), "time");
            if (s != null && !s.equals("received")) {
                time = path(s, t.value().loc(), "time");
            }
        }
        TimeFormat format = null;
        Entry tf = m.entries().get("timeFormat");
        if (tf != null) {
            String s = scalar(tf.value(), "timeFormat");
            if (s != null) {
                format = dev.vigil.event.WireName.parse(TimeFormat.values(), s).orElse(null);
                if (format == null) {
                    error(tf.value().loc(), "unknown timeFormat " + Quote.value(s) + "; use one of " + TimeFormat.allowed());
                }
            }
        }
        ValueSpec name = spec(m, "name", null);
        if (!m.entries().containsKey("name")) {
            error(m.loc(), "a rule needs \"name\": the path of the activity or operation name ($.type), or a constant");
        }
        ValueSpec kind = spec(m, "kind", EventKind.values());
        Map<String, ValueSpec> correlation = specs(m, "correlation");
        ValueSpec outcome = spec(m, "outcome", Outcome.values());
        ValueSpec.FromPath duration = null;
        Entry d = m.entries().get("duration");
        if (d != null) {
            String s = scalar(d.value(), "duration");
            if (s != null) {
                FieldPath p = path(s, d.value().loc(), "duration");
                if (p != null) {
                    duration = new ValueSpec.FromPath(p, Map.of(), null);
                }
            }
        }
        double unitMicros = 1000.0;
        Entry du = m.entries().get("durationUnit");
        if (du != null) {
            String s = scalar(du.value(), "durationUnit");
            if (s != null && !UNITS.containsKey(s)) {
                error(du.value().loc(), "unknown durationUnit " + Quote.value(s) + "; use one of ns, us, ms, s");
            } else if (s != null) {
                unitMicros = UNITS.get(s);
            }
        }
        ValueSpec peer = spec(m, "peer", null);
        ValueSpec unit = spec(m, "unit", null);
        ValueSpec src = spec(m, "source", null);
        Map<String, ValueSpec> attributes = specs(m, "attributes");
        if (errors.size() > before || name == null) {
            return null;
        }
        return new Rule(file + ":" + m.loc().line() + ":" + m.loc().column(), when, time, format, name, kind, correlation,
                outcome, duration, unitMicros, peer, unit, src, attributes);
    }

    private Map<String, ValueSpec> specs(MapNode m, String field) {
        Entry e = m.entries().get(field);
        Map<String, ValueSpec> out = new LinkedHashMap<>();
        if (e == null) {
            return out;
        }
        MapNode inner = map(e.value(), field, "a mapping of name to a path or constant, e.g. {orderId: $.order.id}");
        if (inner != null) {
            for (Entry x : inner.entries().values()) {
                ValueSpec s = spec(x.value(), field + "." + Quote.name(x.key()), null);
                if (s != null) {
                    out.put(x.key(), s);
                }
            }
        }
        return out;
    }

    private <E extends Enum<E> & dev.vigil.event.WireName> ValueSpec spec(MapNode m, String field, E[] allowed) {
        Entry e = m.entries().get(field);
        return e == null ? null : spec(e.value(), field, allowed);
    }

    /** A path ($.a.b), a constant, or {from: path, map: {...}, default: value}; constants checked against {@code allowed}. */
    private <E extends Enum<E> & dev.vigil.event.WireName> ValueSpec spec(Node n, String field, E[] allowed) {
        if (n instanceof MapNode m) {
            known(m, "in " + field, FROM);
            Entry from = m.entries().get("from");
            if (from == null) {
                error(m.loc(), field + " as a mapping needs \"from\": the path to read, e.g. from: $.status");
                return null;
            }
            String fs = scalar(from.value(), field + ".from");
            FieldPath p = fs == null ? null : path(fs, from.value().loc(), field + ".from");
            Map<String, String> mapping = new HashMap<>();
            Entry me = m.entries().get("map");
            if (me != null) {
                MapNode mm = map(me.value(), field + ".map", "a mapping of found value to the value to use, e.g. {\"500\": error}");
                if (mm != null) {
                    for (Entry x : mm.entries().values()) {
                        String v = scalar(x.value(), field + ".map");
                        if (v != null && allowedValue(v, allowed, x.value().loc(), field)) {
                            mapping.put(x.key(), v);
                        }
                    }
                }
            }
            String otherwise = null;
            Entry de = m.entries().get("default");
            if (de != null) {
                otherwise = scalar(de.value(), field + ".default");
                if (otherwise != null && !allowedValue(otherwise, allowed, de.value().loc(), field)) {
                    otherwise = null;
                }
            }
            return p == null ? null : new ValueSpec.FromPath(p, mapping, otherwise);
        }
        String s = scalar(n, field);
        if (s == null) {
            return null;
        }
        if (FieldPath.looksLikePath(s)) {
            FieldPath p = path(s, n.loc(), field);
            return p == null ? null : new ValueSpec.FromPath(p, Map.of(), null);
        }
        return allowedValue(s, allowed, n.loc(), field) ? new ValueSpec.Constant(s) : null;
    }

    private <E extends Enum<E> & dev.vigil.event.WireName> boolean allowedValue(String v, E[] allowed, Loc at, String field) {
        if (allowed == null || dev.vigil.event.WireName.parse(allowed, v).filter(e -> e != EventKind.UNINTERPRETED).isPresent()) {
            return true;
        }
        List<String> names = new ArrayList<>();
        for (E e : allowed) {
            if (e != EventKind.UNINTERPRETED) {
                names.add(e.wire());
            }
        }
        error(at, "unknown " + field + " " + Quote.value(v) + suggestion(v, names) + "; use one of " + String.join(", ", names));
        return false;
    }

    /** The contracts of the objectives' files, read along with them. */
    private final List<dev.vigil.assess.Contract> contracts = new ArrayList<>();

    /**
     * The OpenSLO files and folders (their .yaml and .yml files) that {@code objectives:} lists, relative
     * to vigil.yaml's folder; their own problems come with their own file names.
     */
    private List<dev.vigil.assess.Objective> objectives(MapNode top) {
        Entry e = top.entries().get("objectives");
        List<String> paths = strings(top, "objectives", "vigil.yaml", top.loc(), "a list of OpenSLO files or folders, e.g. [slo/]");
        if (paths == null) {
            return List.of();
        }
        java.nio.file.Path base = java.nio.file.Path.of(file).toAbsolutePath().getParent();
        List<OpenSloLoader.Documents> read = new ArrayList<>();
        List<Node> items = ((ListNode) e.value()).items();
        for (int i = 0; i < paths.size(); i++) {
            String p = paths.get(i);
            Loc at = items.get(i).loc();
            java.nio.file.Path path;
            try {
                path = base.resolve(p);
            } catch (java.nio.file.InvalidPathException ex) {
                error(at, Quote.value(p) + " is not a file or folder name here: " + Quote.text(ex.getReason(), 100));
                continue;
            }
            List<java.nio.file.Path> files = new ArrayList<>();
            if (Files.isDirectory(path)) {
                try (var s = Files.list(path)) {
                    s.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().forEach(files::add);
                } catch (IOException ex) {
                    error(at, "cannot list the folder " + Quote.value(p) + ": " + why(ex));
                }
            } else if (Files.isRegularFile(path)) {
                files.add(path);
            } else {
                error(at, "no file or folder " + Quote.value(p) + " (relative to " + base + ")");
            }
            for (java.nio.file.Path f : files) {
                try {
                    read.add(OpenSloLoader.read(read(f), f.toString()));
                } catch (InvalidConfig bad) {
                    errors.addAll(bad.errors());
                }
            }
        }
        // Names used in one file may be defined in another: resolved once all are read.
        OpenSloLinker.Linked linked = OpenSloLinker.link(read, errors);
        contracts.addAll(linked.contracts());
        return linked.objectives();
    }

    private Processes processes(MapNode m) {
        List<ProcessDef> defs = new ArrayList<>();
        Map<String, String> owner = new HashMap<>();
        for (Entry e : m.entries().values()) {
            String what = "process " + Quote.name(e.key());
            MapNode p = map(e.value(), what, "a mapping with activities, start, end, keys and stuckAfter");
            if (p == null) {
                continue;
            }
            int before = errors.size();
            known(p, "in " + what, PROCESS);
            List<String> activities = strings(p, "activities", what, e.keyLoc(),
                    "the event names that are steps of this process, e.g. [OrderPlaced, OrderShipped]");
            List<String> keys = strings(p, "keys", what, e.keyLoc(),
                    "the correlation keys that link its events, e.g. [orderId, shipmentId]");
            Set<String> acts = new LinkedHashSet<>(activities == null ? List.of() : activities);
            String start = null;
            Entry s = p.entries().get("start");
            if (s != null) {
                start = scalar(s.value(), "start");
                if (start != null && activities != null && !acts.contains(start)) {
                    error(s.value().loc(), "start activity " + Quote.value(start) + " is not among the activities of " + what
                            + suggestion(start, activities) + "; add it to activities or fix the name");
                }
            }
            Set<String> ends = new LinkedHashSet<>();
            Entry en = p.entries().get("end");
            if (en != null) {
                List<Node> items = en.value() instanceof ListNode l ? l.items() : List.of(en.value());
                for (Node x : items) {
                    String a = scalar(x, "end");
                    if (a != null && activities != null && !acts.contains(a)) {
                        error(x.loc(), "end activity " + Quote.value(a) + " is not among the activities of " + what
                                + suggestion(a, activities) + "; add it to activities or fix the name");
                    } else if (a != null) {
                        ends.add(a);
                    }
                }
            }
            Duration stuck = duration(p, "stuckAfter", null);
            if (!p.entries().containsKey("stuckAfter")) {
                error(e.keyLoc(), what + " needs \"stuckAfter\": how long a case may go without progress before it "
                        + "counts as stuck, e.g. stuckAfter: 2h");
            } else if (stuck != null && stuck.toNanos() < 1000) {
                error(p.entries().get("stuckAfter").value().loc(), "stuckAfter must be more than 0 (at least 1us), e.g. 2h");
                stuck = null;
            }
            if (activities != null) {
                List<Node> actNodes = ((ListNode) p.entries().get("activities").value()).items();
                for (int i = 0; i < activities.size(); i++) {
                    String prev = owner.putIfAbsent(activities.get(i), e.key());
                    if (prev != null) {
                        error(actNodes.get(i).loc(), "activity " + Quote.value(activities.get(i)) + " is already in process "
                                + Quote.name(prev)
                                + (prev.equals(e.key()) ? " (listed twice)" : "") + "; an event name belongs to one process");
                    }
                }
            }
            if (errors.size() == before && activities != null && keys != null && stuck != null) {
                defs.add(new ProcessDef(e.key(), activities, start, ends, keys, stuck.toNanos() / 1000));
            }
        }
        return errors.isEmpty() ? new Processes(defs) : Processes.NONE;
    }

    private FieldPath path(String text, Loc at, String field) {
        try {
            return FieldPath.parse(text);
        } catch (IllegalArgumentException e) {
            // FieldPath says what is wrong where (an offset), without repeating the path quoted here.
            error(at, "bad field path " + Quote.value(text) + " for " + field + ": " + Quote.text(e.getMessage(), 200));
            return null;
        }
    }

}
