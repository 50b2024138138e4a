package dev.vigil.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.config.VigilConfig;
import dev.vigil.correlate.ProcessDef;
import dev.vigil.event.EventDraft;
import dev.vigil.event.IngestPolicy;
import dev.vigil.interpret.Interpretation;
import dev.vigil.interpret.Interpreter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    static final String VALID = """
            pipeline:
              allowedLateness: 10s
              maxLateness: 15m
              idleTimeout: 20s
              partitions: 3
              checkpointEvery: 1m
            sources:
              shop:
                rules:
                  - when: {$.type: OrderPlaced}
                    time: $.header.occurredAt
                    name: $.type
                    kind: activity
                    correlation: {orderId: $.order.id}
                    outcome: {from: $.status, map: {"200": ok, "500": error}, default: ok}
                    unit: retail
                  - time: $.ts
                    timeFormat: epoch-seconds
                    name: $.op
                    duration: $.elapsed
                    durationUnit: us
                    peer: $.target
                    attributes: {region: $.meta.region}
            processes:
              order-to-cash:
                activities: [OrderPlaced, Paid, Shipped]
                start: OrderPlaced
                end: Shipped
                keys: [orderId, shipmentId]
                stuckAfter: 2h
            """;

    static List<String> errors(String yaml) {
        try {
            ConfigLoader.parse(yaml, "vigil.yaml");
        } catch (InvalidConfig e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        throw new AssertionError("expected the file to be refused");
    }

    @Test
    void aValidFileGivesPipelineSettingsRulesAndProcesses() throws Exception {
        VigilConfig c = ConfigLoader.parse(VALID, "vigil.yaml");
        assertThat(c.lateness().allowedLatenessMicros()).isEqualTo(10_000_000L);
        assertThat(c.lateness().maxLatenessMicros()).isEqualTo(900_000_000L);
        assertThat(c.lateness().idleTimeoutMillis()).isEqualTo(20_000L);
        assertThat(c.partitions()).isEqualTo(3);
        assertThat(c.checkpointEveryMillis()).isEqualTo(60_000L);
        assertThat(c.sources()).containsOnlyKeys("shop");
        assertThat(c.sources().get("shop").rules()).hasSize(2);
        assertThat(c.sources().get("shop").rules().get(0).where()).isEqualTo("vigil.yaml:10:9");
        ProcessDef p = c.processes().get(0);
        assertThat(p.name()).isEqualTo("order-to-cash");
        assertThat(p.ends()).containsExactly("Shipped");
        assertThat(p.stuckAfterMicros()).isEqualTo(7_200_000_000L);
    }

    @Test
    void rulesMapNestedFieldsValueMapsAndConstantsOntoTheCanonicalEvent() throws Exception {
        VigilConfig c = ConfigLoader.parse(VALID, "vigil.yaml");
        Map<String, Object> order = Map.of("type", "OrderPlaced", "status", 500,
                "header", Map.of("occurredAt", "2026-11-22T10:00:00Z"), "order", Map.of("id", 17));
        Interpretation i = Interpreter.interpret(c.sources().get("shop"), order, 0, 0);
        EventDraft.Valid v = (EventDraft.Valid) ((Interpretation.Drafted) i).draft()
                .check(0, dev.vigil.event.Timestamps.parseRfc3339("2026-11-22T10:01:00Z"), IngestPolicy.DEFAULT);
        assertThat(v.event().name()).isEqualTo("OrderPlaced");
        assertThat(v.event().source()).isEqualTo("shop");
        assertThat(v.event().correlation()).containsEntry("orderId", "17");
        assertThat(v.event().outcome().wire()).isEqualTo("error");
        assertThat(v.event().unit()).isEqualTo("retail");

        Map<String, Object> call = Map.of("ts", 1795000000.25, "op", "Charge", "elapsed", 1500, "target", "bank",
                "meta", Map.of("region", "eu"));
        EventDraft d = ((Interpretation.Drafted) Interpreter.interpret(c.sources().get("shop"), call, 1, 0)).draft();
        EventDraft.Valid cv = (EventDraft.Valid) d.check(1, 1_795_000_001_000_000L, IngestPolicy.DEFAULT);
        assertThat(cv.event().timeMicros()).isEqualTo(1_795_000_000_250_000L);
        assertThat(cv.event().durationMicros()).isEqualTo(1500L);
        assertThat(cv.event().peer()).isEqualTo("bank");
        assertThat(cv.event().kind().wire()).isEqualTo("call");
        assertThat(cv.event().attributes()).containsEntry("region", "eu");
    }

    @Test
    void aMatchedRuleThatFindsNoTimeRefusesTheEventNamingThePathAndTheRule() throws Exception {
        VigilConfig c = ConfigLoader.parse(VALID, "vigil.yaml");
        Interpretation i = Interpreter.interpret(c.sources().get("shop"), Map.of("type", "OrderPlaced"), 4, 0);
        assertThat(i).isInstanceOf(Interpretation.Refused.class);
        var r = ((Interpretation.Refused) i).rejection();
        assertThat(r.toString()).isEqualTo("Rejection[index=4, field=$.header.occurredAt, code=MISSING_FIELD, reason="
                + "rule 1 of source shop (vigil.yaml:10:9) takes the time from $.header.occurredAt, which this event does not have]");
    }

    @Test
    void unknownFieldsAreNamedWithASuggestionAndTheAllowedOnes() {
        assertThat(errors("""
                pipeline:
                  allowedLatenes: 5s
                sources:
                  shop:
                    rules:
                      - tme: $.ts
                        name: $.type
                """)).containsExactly(
                "vigil.yaml:2:3: unknown field \"allowedLatenes\" in pipeline; did you mean \"allowedLateness\"? "
                        + "(allowed: allowedLateness, maxLateness, idleTimeout, partitions, checkpointEvery)",
                "vigil.yaml:6:9: unknown field \"tme\" in a rule; did you mean \"time\"? (allowed: when, time, "
                        + "timeFormat, name, kind, correlation, outcome, duration, durationUnit, peer, unit, source, attributes)",
                "vigil.yaml:6:9: a rule needs \"time\": the path of the event's time ($.timestamp), or \"received\" "
                        + "for the time it arrives");
    }

    @Test
    void badValuesSayWhatIsWrongAndWhatToWriteInstead() {
        assertThat(errors("""
                pipeline:
                  allowedLateness: 5 seconds
                  maxLateness: 1s
                  partitions: 0
                sources:
                  bad name:
                    rules: []
                  shop:
                    rules:
                      - time: $.a..b
                        timeFormat: unix
                        name: $.type
                        kind: activty
                        outcome: {from: $.status, map: {"500": failed}}
                        durationUnit: minutes
                """)).containsExactly(
                "vigil.yaml:2:20: \"5 seconds\" is not a duration for allowedLateness: write e.g. 500ms, 30s, 5m, 2h or 30d",
                "vigil.yaml:4:15: partitions must be between 1 and 256 (or leave it out for one per core)",
                "vigil.yaml:6:3: source name \"bad name\" must be 1-128 letters, digits, '.', '_' or '-' (it goes into "
                        + "the URL: /ingest/events?source=NAME)",
                "vigil.yaml:10:15: bad field path \"$.a..b\" for time: empty field name at offset 4",
                "vigil.yaml:11:21: unknown timeFormat \"unix\"; use one of auto, rfc3339, epoch-seconds, epoch-millis, epoch-micros",
                "vigil.yaml:13:15: unknown kind \"activty\"; did you mean \"activity\"?; use one of activity, call, message, other",
                "vigil.yaml:14:48: unknown outcome \"failed\"; use one of ok, error, timeout",
                "vigil.yaml:15:23: unknown durationUnit \"minutes\"; use one of ns, us, ms, s");
    }

    @Test
    void spanKeysNameTheAttributesThatCarryABusinessKeyInOrder() throws Exception {
        VigilConfig c = ConfigLoader.parse("""
                telemetry:
                  spanKeys:
                    orderId: [app.order_id, order.id]
                    customerId: customer.id
                """, "vigil.yaml");
        assertThat(c.spanKeys()).containsExactly(
                java.util.Map.entry("orderId", List.of("app.order_id", "order.id")),
                java.util.Map.entry("customerId", List.of("customer.id")));
        assertThat(errors("""
                telemetry:
                  spanKey: {}
                  spanKeys:
                    orderId: []
                    "": x
                """)).containsExactly(
                "vigil.yaml:2:3: unknown field \"spanKey\" in telemetry; did you mean \"spanKeys\"? (allowed: spanKeys, pairWithin)",
                "vigil.yaml:4:14: orderId of spanKeys must be a non-empty list: the span attributes that hold orderId",
                "vigil.yaml:5:5: a span key needs a name: the correlation key it becomes, e.g. orderId");
    }

    @Test
    void theEstateDeclaresWhoCallsWhomAndWhatHostsAreCalledElsewhere() throws Exception {
        VigilConfig c = ConfigLoader.parse("""
                estate:
                  interactions:
                    web: [orders, billing]
                    orders: postgres
                  hostAliases: {ip-10-0-0-7.ec2.internal: db-host-1}
                  processGroups: {java: shipping}
                """, "vigil.yaml");
        assertThat(c.estate().serviceOfGroup("java")).isEqualTo("shipping");
        assertThat(c.estate().serviceOfGroup("postgres")).isEqualTo("postgres");
        assertThat(c.estate().pairs()).containsExactly(List.of("orders", "postgres"), List.of("web", "orders"),
                List.of("web", "billing"));
        assertThat(c.estate().declared("web", "billing")).isTrue();
        assertThat(c.estate().declared("billing", "web")).isFalse();
        assertThat(c.estate().host("ip-10-0-0-7.ec2.internal")).isEqualTo("db-host-1");
        assertThat(c.estate().host("web-1")).isEqualTo("web-1");
        assertThat(errors("""
                estate:
                  interaction: {}
                  interactions:
                    web: []
                  hostAliases: {a: ""}
                """)).containsExactly(
                "vigil.yaml:2:3: unknown field \"interaction\" in estate; did you mean \"interactions\"? (allowed: interactions, hostAliases, processGroups, weights, transactions)",
                "vigil.yaml:4:10: web of interactions must be a non-empty list: what web calls",
                "vigil.yaml:5:20: the alias of \"a\" is empty: give the host's name, as its scrape target names it");
    }

    @Test
    void aHostAliasThatNamesAnotherAliasOrItselfIsRefusedWithTheNameToUse() throws Exception {
        assertThat(errors("""
                estate:
                  hostAliases: {web-3.internal: web-3, web-3: web-3.internal, db: db, ip-7: db-a, db-a: db-1}
                """)).containsExactly(
                "vigil.yaml:2:33: hosts \"web-3.internal\" and \"web-3\" are aliases of each other, so the two names "
                        + "never meet: keep one of the two lines, the one whose right side is the name Vigil should use",
                "vigil.yaml:2:47: hosts \"web-3\" and \"web-3.internal\" are aliases of each other, so the two names "
                        + "never meet: keep one of the two lines, the one whose right side is the name Vigil should use",
                "vigil.yaml:2:67: host \"db\" is its own alias: remove the line",
                "vigil.yaml:2:77: host \"ip-7\" is an alias of \"db-a\", which is itself an alias (of \"db-1\"): "
                        + "name the host as Vigil should know it, e.g. ip-7: db-1");
    }

    @Test
    void aServiceMayDeclareItsWeightOnSharedHostsAndTheProcessWhoseCasesAreItsTransactions() throws Exception {
        VigilConfig c = ConfigLoader.parse("""
                processes:
                  order-to-cash: {activities: [OrderPlaced, Paid], start: OrderPlaced, end: [Paid], keys: [orderId], stuckAfter: 1h}
                estate:
                  weights: {shipping: 3, audit: 0.5}
                  transactions: {orders: order-to-cash}
                """, "vigil.yaml");
        assertThat(c.estate().weight("shipping")).isEqualTo(3.0);
        assertThat(c.estate().weight("audit")).isEqualTo(0.5);
        assertThat(c.estate().weight("billing")).as("1 when not declared").isEqualTo(1.0);
        assertThat(c.estate().transactions()).containsExactly(Map.entry("orders", "order-to-cash"));
        assertThat(errors("""
                processes:
                  order-to-cash: {activities: [OrderPlaced, Paid], start: OrderPlaced, end: [Paid], keys: [orderId], stuckAfter: 1h}
                estate:
                  weights: {shipping: -1, audit: lots}
                  transactions: {orders: order-to-pay}
                """)).containsExactly(
                "vigil.yaml:4:23: the weight of \"shipping\" is \"-1\": give a positive number (1 when left out), e.g. shipping: 2",
                "vigil.yaml:4:34: the weight of \"audit\" is \"lots\": give a positive number (1 when left out), e.g. audit: 2",
                "vigil.yaml:5:26: process \"order-to-pay\" is not declared under processes; declared: order-to-cash");
    }

    @Test
    void pairWithinIsHowLongASpanWaitsForItsPartnerAndStaysShortOfMaxLateness() throws Exception {
        assertThat(ConfigLoader.parse("telemetry: {pairWithin: 2m}\n", "vigil.yaml").pairWithinMicros())
                .isEqualTo(120_000_000L);
        assertThat(ConfigLoader.parse("pipeline: {}\n", "vigil.yaml").pairWithinMicros()).isEqualTo(30_000_000L);
        assertThat(ConfigLoader.parse("pipeline: {allowedLateness: 5s, maxLateness: 20s}\n", "vigil.yaml")
                .pairWithinMicros()).as("left out, the wait fits the lateness").isEqualTo(15_000_000L);
        assertThat(errors("""
                pipeline: {maxLateness: 5m}
                telemetry: {pairWithin: 5m}
                """)).containsExactly("vigil.yaml:2:25: pairWithin must be between 1ms and 295s (maxLateness less "
                + "allowedLateness, so that a pair found at the end of the wait still counts in its minute); raise "
                + "maxLateness or shorten pairWithin");
    }

    @Test
    void scrapeTargetsTakeTheirHostFromTheUrlUnlessNamedAndTheDefaultInterval() throws Exception {
        VigilConfig c = ConfigLoader.parse("""
                scrape:
                  interval: 30s
                  targets:
                    - url: http://web-3.internal:9100/metrics
                    - {url: "http://10.0.0.7:9100/metrics", host: db-1, interval: 5s, labels: {dc: eu-1}}
                """, "vigil.yaml");
        assertThat(c.scrapes()).containsExactly(
                new dev.vigil.infra.ScrapeTarget("http://web-3.internal:9100/metrics", "web-3.internal", 30_000, Map.of()),
                new dev.vigil.infra.ScrapeTarget("http://10.0.0.7:9100/metrics", "db-1", 5_000, Map.of("dc", "eu-1")));
        assertThat(errors("""
                scrape:
                  targets:
                    - url: ftp://x/metrics
                    - {host: a}
                    - {url: "http://a:1/m", interval: 10ms}
                    - {url: "http://a:1/m"}
                    - {url: "http://b:1/m"}
                    - {url: "http://b:1/m", hots: b}
                """)).containsExactly(
                "vigil.yaml:3:12: url \"ftp://x/metrics\" must be an http:// or https:// URL with a host, e.g. http://web-3:9100/metrics",
                "vigil.yaml:4:7: a scrape target needs \"url\": where its metrics are, e.g. http://web-3:9100/metrics",
                "vigil.yaml:5:39: a scrape interval must be at least 1s (Prometheus's default is 15s)",
                "vigil.yaml:6:13: url \"http://a:1/m\" is scraped twice; list each target once",
                "vigil.yaml:8:13: url \"http://b:1/m\" is scraped twice; list each target once",
                "vigil.yaml:8:29: unknown field \"hots\" in a scrape target; did you mean \"host\"? (allowed: url, host, interval, labels)");
    }

    @Test
    void processesMustBeConsistent() {
        assertThat(errors("""
                processes:
                  order-to-cash:
                    activities: [OrderPlaced, Shipped]
                    start: OrderPlacd
                    end: [Delivered]
                    keys: [orderId]
                    stuckAfter: 2h
                  returns:
                    activities: [Shipped]
                    stuckAfter: 1d
                """)).containsExactly(
                "vigil.yaml:4:12: start activity \"OrderPlacd\" is not among the activities of process order-to-cash; "
                        + "did you mean \"OrderPlaced\"?; add it to activities or fix the name",
                "vigil.yaml:5:11: end activity \"Delivered\" is not among the activities of process order-to-cash; "
                        + "add it to activities or fix the name",
                "vigil.yaml:8:3: process returns needs \"keys\": the correlation keys that link its events, e.g. [orderId, shipmentId]",
                "vigil.yaml:9:18: activity \"Shipped\" is already in process order-to-cash; an event name belongs to one process");
    }

    @Test
    void yamlSyntaxErrorsAndDuplicateKeysPointAtTheSpot() {
        assertThat(errors("""
                processes:
                  p:
                    activities: [A]
                    activities: [B]
                """)).contains("vigil.yaml:4:5: \"activities\" appears twice here (first at line 3); keep one of them");
        assertThat(errors("sources:\n  shop:\n    rules: [\n")).containsExactly("vigil.yaml:4:1: not valid YAML: "
                + "while parsing a flow node: expected the node content, but found '<stream end>'; check the indentation "
                + "and quoting around here");
    }

    @Test
    void aRuleCannotAssignTheKindReservedForUninterpretedObjects() {
        assertThat(errors("""
                sources:
                  shop:
                    rules:
                      - time: received
                        name: $.type
                        kind: uninterpreted
                """)).containsExactly("vigil.yaml:6:15: unknown kind \"uninterpreted\"; use one of activity, call, message, other");
    }

    @Test
    void aBlockScalarOrAKeyWithALineBreakIsQuotedOnOneLineWithItsEscapes() {
        // Each problem is one line: a value holding line breaks (a block scalar where one word belongs) or a tab
        // is quoted with \\n and \\t, a long one cut short with its length.
        assertThat(errors("""
                processes:
                  "order\\nto-cash":
                    activities: [A]
                    keys: [orderId]
                sources:
                  shop:
                    rules:
                      - time: $.ts
                        name: $.type
                        kind: |
                          call
                          activity
                        timeFormat: "a\\tb"
                        peer: {from: $.x, default: d, extra: 1}
                      - time: "$.%s["
                        name: x
                """.formatted("y".repeat(5000)))).containsExactly(
                "vigil.yaml:2:3: process \"order\\nto-cash\" needs \"stuckAfter\": how long a case may go without progress "
                        + "before it counts as stuck, e.g. stuckAfter: 2h",
                "vigil.yaml:10:15: unknown kind \"call\\nactivity\\n\"; use one of activity, call, message, other",
                "vigil.yaml:13:21: unknown timeFormat \"a\\tb\"; use one of auto, rfc3339, epoch-seconds, epoch-millis, "
                        + "epoch-micros",
                "vigil.yaml:14:39: unknown field \"extra\" in peer (allowed: from, map, default)",
                "vigil.yaml:15:15: bad field path \"$." + "y".repeat(58) + "…\" (5003 characters) for time: "
                        + "'[' at offset 5002 is not closed");
    }

    @Test
    void valuesOfTheWrongShapeAndTooLargeNumbersAreProblemsNotExceptions() {
        assertThat(errors("""
                pipeline:
                  allowedLateness: 99999999999999999999d
                  maxLateness: 106752d
                  idleTimeout: [10s]
                processes:
                  p:
                    activities: [A]
                    keys: [k]
                    stuckAfter: PT0.0000001S
                objectives: ["a\\u0000b"]
                """)).containsExactly(
                "vigil.yaml:2:20: \"99999999999999999999d\" is not a duration for allowedLateness: write e.g. 500ms, 30s, "
                        + "5m, 2h or 30d",
                "vigil.yaml:3:16: \"106752d\" is longer than Vigil takes for maxLateness (36500d)",
                "vigil.yaml:4:16: idleTimeout must be a single value, found a list",
                "vigil.yaml:9:17: stuckAfter must be more than 0 (at least 1us), e.g. 2h",
                "vigil.yaml:10:14: \"a\\u0000b\" is not a file or folder name here: Nul character not allowed");
    }

    @Test
    void bytesThatAreNotUtf8CharactersYamlForbidsAndASecondDocumentArePlacedToo(@org.junit.jupiter.api.io.TempDir
                                                                                  java.nio.file.Path dir) throws Exception {
        java.nio.file.Path vigil = dir.resolve("vigil.yaml");
        java.nio.file.Files.writeString(vigil, "objectives: [s.yaml]\n");
        byte[] latin1 = "pipeline:\n  idleTimeout: 1s # gr\u00fcn\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        java.nio.file.Files.write(dir.resolve("s.yaml"), latin1);
        assertThatThrownBy(() -> ConfigLoader.load(vigil)).isInstanceOfSatisfying(InvalidConfig.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(dir.resolve("s.yaml")
                        + ":2:23: the byte 0xFC is not UTF-8 text; save the file as UTF-8"));
        assertThat(errors("pipeline:\n  idleTimeout: a\u0007b\n")).containsExactly("vigil.yaml:2:17: the character "
                + "U+0007 is not allowed in YAML; remove it, or write it as \\u0007 inside double quotes");
        assertThat(errors("pipeline: {idleTimeout: 1s}\n---\nsources: {}\n")).containsExactly("vigil.yaml:3:1: a second "
                + "document (after ---) in a file that holds one; move its settings into the first or remove the ---");
        assertThat(errors("alerting: {webhooks: [*hook]}\n")).containsExactly("vigil.yaml:1:23: *hook refers to no anchor: "
                + "write &hook on a value before it, or write the value here", "vigil.yaml:1:23: webhooks must be a single value, "
                + "found nothing");
    }
}
