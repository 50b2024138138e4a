package dev.vigil.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.assess.Budgeting;
import dev.vigil.assess.Indicator;
import dev.vigil.assess.Objective;
import dev.vigil.assess.TimeWindow;
import dev.vigil.summarise.Dimension;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenSloLoaderTest {

    static final String VALID = """
            apiVersion: openslo/v1
            kind: SLI
            metadata:
              name: carrier-calls-ok
            spec:
              ratioMetric:
                counter: false
                good:
                  metricSource:
                    type: Vigil
                    spec: {dimension: peer, key: carrier-api, good: notFailed}
                total:
                  metricSource:
                    type: Vigil
                    spec: {dimension: peer, key: carrier-api}
            ---
            apiVersion: openslo/v1
            kind: SLO
            metadata:
              name: carrier-availability
              displayName: Carrier API availability
            spec:
              service: carrier-api
              indicatorRef: carrier-calls-ok
              timeWindow:
                - duration: 1M
                  isRolling: false
                  calendar: {startTime: 2026-01-01 00:00:00, timeZone: Europe/Zurich}
              budgetingMethod: Occurrences
              objectives:
                - targetPercent: 99.9
            ---
            apiVersion: openslo/v1
            kind: SLO
            metadata:
              name: billing-latency
            spec:
              service: billing
              indicator:
                metadata: {name: billing-fast}
                spec:
                  thresholdMetric:
                    metricSource:
                      type: Vigil
                      spec: {dimension: service-operation, key: billing, name: CreateInvoice, statistic: p95}
              timeWindow: [{duration: 28d, isRolling: true}]
              budgetingMethod: Timeslices
              objectives:
                - op: lte
                  value: 300
                  target: 0.99
                  timeSliceTarget: 0.95
                  timeSliceWindow: 5m
            """;

    @Test
    void ratioAndThresholdSlosBecomeObjectivesOverVigilSeries() throws Exception {
        List<Objective> objectives = OpenSloLoader.parse(VALID, "slo.yaml");

        assertThat(objectives).hasSize(2);
        Objective a = objectives.get(0);
        assertThat(a.name()).isEqualTo("carrier-availability");
        assertThat(a.displayName()).isEqualTo("Carrier API availability");
        assertThat(a.series()).isEqualTo(new Objective.Series(Dimension.PEER, "carrier-api", null));
        assertThat(a.spec().indicator()).isEqualTo(new Indicator.NotFailed());
        assertThat(a.spec().target()).isEqualTo(0.999, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(a.spec().window()).isEqualTo(new TimeWindow.Calendar(1, 0, LocalDateTime.of(2026, 1, 1, 0, 0),
                ZoneId.of("Europe/Zurich")));
        assertThat(a.spec().rules()).hasSize(4);

        Objective b = objectives.get(1);
        assertThat(b.series()).isEqualTo(new Objective.Series(Dimension.SERVICE_OPERATION, "billing", "CreateInvoice"));
        assertThat(b.spec().indicator()).isEqualTo(new Indicator.StatisticAtMost(0.95, 300_000));
        assertThat(b.spec().window()).isEqualTo(new TimeWindow.Rolling(28L * 1440 * 60_000_000L));
        assertThat(b.spec().budgeting()).isEqualTo(new Budgeting.Timeslices(5 * 60_000_000L, 0.95));
    }

    @Test
    void everyProblemNamesFileLineColumnAndTheFixAllAtOnce() {
        String bad = """
                apiVersion: openslo/v2
                kind: SLO
                metadata:
                  name: Carrier_SLO
                spec:
                  indicatorRef: carrier-ok
                  timeWindow: [{duration: 28days, isRolling: true}]
                  budgetingMethod: Ocurrences
                  objectives: [{target: 1.5}]
                ---
                apiVersion: openslo/v1
                kind: SLQ
                metadata: {name: x}
                ---
                apiVersion: openslo/v1
                kind: SLO
                metadata: {name: latency}
                spec:
                  indicator:
                    spec:
                      ratioMetric:
                        good: {metricSource: {type: Prometheus, spec: {query: up}}}
                        total: {metricSource: {type: Vigil, spec: {dimension: peers, key: bank}}}
                  timeWindow: [{duration: 1M, isRolling: true}]
                  budgetingMethod: Occurrences
                  objectiv: []
                """;
        assertThatThrownBy(() -> OpenSloLoader.parse(bad, "slo.yaml")).isInstanceOfSatisfying(InvalidConfig.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                        "slo.yaml:1:13: apiVersion must be openslo/v1 (Vigil reads OpenSLO v1)",
                        "slo.yaml:4:9: metadata.name \"Carrier_SLO\" must be lowercase letters, digits and '-', start and "
                                + "end with a letter or digit, at most 63 characters (RFC 1123)",
                        "slo.yaml:6:17: no SLI named \"carrier-ok\" (this file defines none)",
                        "slo.yaml:7:27: duration must be a number and one of m, h, d, w, M, Q, Y (e.g. 28d, 1M)",
                        "slo.yaml:8:20: budgetingMethod must be Occurrences or Timeslices; did you mean \"Occurrences\"?",
                        "slo.yaml:9:25: target must be between 0 and 1 (exclusive), e.g. 0.999",
                        "slo.yaml:12:7: unknown kind \"SLQ\"; did you mean \"SLO\"? (kinds: SLO, SLI, Service, AlertPolicy, "
                                + "AlertCondition, AlertNotificationTarget, DataSource, Contract)",
                        "slo.yaml:19:3: an SLO needs objectives: e.g. objectives: [{target: 0.999}]",
                        "slo.yaml:22:37: Vigil reads metric sources of type Vigil, whose spec names a KPI series: "
                                + "{dimension: peer, key: carrier-api}",
                        "slo.yaml:23:63: dimension must be one of service-operation, process-activity, peer, unit, service, call; did you "
                                + "mean \"peer\"?",
                        "slo.yaml:24:27: a rolling window is measured in m, h, d or w; months, quarters and years are "
                                + "calendar windows (isRolling: false with a calendar)",
                        "slo.yaml:26:3: unknown field \"objectiv\" in an SLO's spec; did you mean \"objectives\"? (allowed: "
                                + "description, service, indicator, indicatorRef, timeWindow, budgetingMethod, objectives, "
                                + "alertPolicies)"));
    }

    @Test
    void durationAtMostThatIsNoValueIsAProblemInItsPlace() throws InvalidConfig {
        // durationAtMost: null once ended check-config with "Cannot invoke String.trim()" and no place.
        String slo = """
                apiVersion: openslo/v1
                kind: SLO
                metadata: {name: carrier-latency}
                spec:
                  indicator:
                    metadata: {name: carrier-fast}
                    spec:
                      ratioMetric:
                        good: {metricSource: {type: Vigil, spec: {dimension: peer, key: carrier-api, durationAtMost: %s}}}
                        total: {metricSource: {type: Vigil, spec: {dimension: peer, key: carrier-api}}}
                  timeWindow: [{duration: 28d, isRolling: true}]
                  budgetingMethod: Occurrences
                  objectives: [{target: 0.99}]
                """;
        assertThatThrownBy(() -> OpenSloLoader.parse(slo.formatted("null"), "slo.yaml")).isInstanceOfSatisfying(
                InvalidConfig.class, e -> assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                        "slo.yaml:9:102: durationAtMost must be a single value, found nothing"));
        assertThatThrownBy(() -> OpenSloLoader.parse(slo.formatted("[300ms]"), "slo.yaml")).isInstanceOfSatisfying(
                InvalidConfig.class, e -> assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                        "slo.yaml:9:102: durationAtMost must be a single value, found a list"));
        assertThatThrownBy(() -> OpenSloLoader.parse(slo.formatted("\"300\\nms\""), "slo.yaml")).isInstanceOfSatisfying(
                InvalidConfig.class, e -> assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                        "slo.yaml:9:102: \"300\\nms\" is not a duration for durationAtMost: write e.g. 500ms, 30s, 5m, 2h or 30d"));
        assertThat(OpenSloLoader.parse(slo.formatted("300ms"), "slo.yaml").get(0).spec().indicator())
                .isEqualTo(new Indicator.FasterThan(300_000));
    }

    @Test
    void aMappingOrAnAliasAsAKeyIsASyntaxErrorInWordsNotTheParsersInternals() {
        assertThatThrownBy(() -> OpenSloLoader.parse("apiVersion: openslo/v1\nmetadata: {{name: x}: y}\n", "slo.yaml"))
                .isInstanceOfSatisfying(InvalidConfig.class, e -> assertThat(e.errors()).extracting(ConfigError::toString)
                        .containsExactly("slo.yaml:2:13: not valid YAML: a key here is a mapping; a key must be a single value "
                                + "such as name:"));
        // An alias stands for the value anchored before it, single values too (not for the alias's name, as it did).
        assertThatThrownBy(() -> OpenSloLoader.parse("kind: &k SLO\nmetadata: {name: *k}\nspec: *nothing\n", "slo.yaml"))
                .isInstanceOfSatisfying(InvalidConfig.class, e -> assertThat(e.errors()).extracting(ConfigError::toString)
                        .containsExactly("slo.yaml:1:1: missing apiVersion: write apiVersion: openslo/v1",
                                "slo.yaml:2:18: metadata.name \"SLO\" must be lowercase letters, digits and '-', start and end "
                                        + "with a letter or digit, at most 63 characters (RFC 1123)",
                                "slo.yaml:3:7: *nothing refers to no anchor: write &nothing on a value before it, or write "
                                        + "the value here",
                                "slo.yaml:3:7: spec must be a mapping, found nothing"));
    }
}
