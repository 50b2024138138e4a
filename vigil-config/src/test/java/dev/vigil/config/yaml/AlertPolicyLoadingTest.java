package dev.vigil.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.assess.AlertPolicy;
import dev.vigil.assess.BurnRule;
import dev.vigil.assess.Objective;
import dev.vigil.config.VigilConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OpenSLO's alerting kinds: policies, conditions and notification targets, by name across files or inline. */
class AlertPolicyLoadingTest {

    static final long MINUTE = 60_000_000L;
    static final List<String> DEFAULTS = List.of("http://default.example/hook");

    static final String SLO = ContractLoadingTest.SLO + """
              alertPolicies:
                - alertPolicyRef: paging
                - kind: AlertPolicy
                  metadata: {name: tickets}
                  spec:
                    alertWhenResolved: false
                    conditions:
                      - kind: AlertCondition
                        metadata: {name: slow-burn}
                        spec:
                          severity: ticket
                          condition: {kind: burnrate, op: gt, threshold: 2, lookbackWindow: 1d, alertAfter: 2h}
            """;

    static final String ALERTING = """
            apiVersion: openslo/v1
            kind: AlertCondition
            metadata: {name: fast-burn}
            spec:
              severity: page
              condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m}
            ---
            apiVersion: openslo/v1
            kind: AlertNotificationTarget
            metadata: {name: pager}
            spec:
              description: the on-call pager bridge
              target: https://pager.example.com/vigil
            ---
            apiVersion: openslo/v1
            kind: AlertPolicy
            metadata: {name: paging}
            spec:
              alertWhenNoData: false
              conditions: [{conditionRef: fast-burn}]
              notificationTargets: [{targetRef: pager}]
            """;

    @TempDir
    Path dir;

    VigilConfig load(String slo, String alerting) throws Exception {
        Files.createDirectories(dir.resolve("slo"));
        Files.writeString(dir.resolve("slo/carrier.yaml"), slo);
        Files.writeString(dir.resolve("slo/alerting.yaml"), alerting);
        Files.writeString(dir.resolve("vigil.yaml"), "objectives: [slo/]\n");
        return ConfigLoader.load(dir.resolve("vigil.yaml"));
    }

    @Test
    void policiesReplaceTheStandardRulesAndRouteEachRuleToTheirOwnTargets() throws Exception {
        Objective o = load(SLO, ALERTING).objectives().get(0);
        BurnRule fast = new BurnRule("page", 14.4, 60 * MINUTE, 5 * MINUTE, true);
        BurnRule slow = new BurnRule("ticket", 2, 24 * 60 * MINUTE, 120 * MINUTE, false);
        assertThat(o.spec().rules()).containsExactly(fast, slow);
        assertThat(o.policies()).containsExactly(
                new AlertPolicy("paging", List.of(fast), List.of("https://pager.example.com/vigil"), true, true),
                new AlertPolicy("tickets", List.of(slow), List.of(), true, false));
        assertThat(o.targets(fast, true, DEFAULTS)).containsExactly("https://pager.example.com/vigil");
        assertThat(o.targets(fast, false, DEFAULTS)).containsExactly("https://pager.example.com/vigil");
        assertThat(o.targets(slow, true, DEFAULTS)).as("a policy without targets uses the defaults").isEqualTo(DEFAULTS);
        assertThat(o.targets(slow, false, DEFAULTS)).as("alertWhenResolved: false").isEmpty();
    }

    @Test
    void anObjectiveWithoutPoliciesKeepsTheStandardRulesAndTheDefaultWebhooks() throws Exception {
        Objective o = load(SLO.substring(0, SLO.indexOf("  alertPolicies:")), ALERTING).objectives().get(0);
        assertThat(o.policies()).isEmpty();
        assertThat(o.spec().rules()).hasSize(4);
        assertThat(o.targets(o.spec().rules().get(0), true, DEFAULTS)).isEqualTo(DEFAULTS);
    }

    @Test
    void aGteConditionFiresAtItsThresholdAndAGtOneOnlyAbove() {
        BurnRule gte = new BurnRule("page", 2, 60 * MINUTE, 5 * MINUTE, true);
        BurnRule gt = new BurnRule("page", 2, 60 * MINUTE, 5 * MINUTE, false);
        assertThat(gte.firesAt(2, 2)).isTrue();
        assertThat(gt.firesAt(2, 2)).isFalse();
        assertThat(gt.firesAt(2.01, 2.01)).isTrue();
        assertThat(gte.firesAt(3, 1.99)).as("both windows must reach it").isFalse();
        assertThat(gte.id()).isNotEqualTo(gt.id());
    }

    @Test
    void badAlertingDocumentsAreRefusedWithEveryProblemInPlace() {
        assertThatThrownBy(() -> load(SLO.replace("alertPolicyRef: paging", "alertPolicyRef: pagin"), """
                apiVersion: openslo/v1
                kind: AlertCondition
                metadata: {name: fast-burn}
                spec:
                  severity: page
                  condition: {kind: threshold, op: lt, threshold: 0, lookbackWindow: 5m, alertAfter: 1h}
                ---
                apiVersion: openslo/v1
                kind: AlertNotificationTarget
                metadata: {name: pager}
                spec:
                  target: slack
                ---
                apiVersion: openslo/v1
                kind: AlertPolicy
                metadata: {name: paging}
                spec:
                  alertWhenNoData: true
                  conditions: [{conditionRef: fast-burns}]
                  notificationTargets: [{targetRef: pager, url: x}]
                ---
                apiVersion: openslo/v1
                kind: AlertCondition
                metadata: {name: fast-burn}
                spec:
                  severity: page
                  condition: {kind: burnrate, op: gte, threshold: 6, lookbackWindow: 6h}
                """)).isInstanceOfSatisfying(InvalidConfig.class, e -> {
                    String a = dir.resolve("slo/alerting.yaml").toString();
                    String c = dir.resolve("slo/carrier.yaml").toString();
                    assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                            a + ":6:21: Vigil alerts on error-budget burn: kind must be burnrate",
                            a + ":6:36: op must be gte or gt: a burn-rate alert fires when the burn rate reaches the threshold; did you mean \"gt\"?",
                            a + ":6:51: threshold is a burn rate above 0, e.g. 14.4 (the budget spent 14.4 times faster than "
                                    + "the period allows)",
                            a + ":6:86: alertAfter (the short window) must not be longer than lookbackWindow (the long one); "
                                    + "the workbook uses a twelfth of it, e.g. 1h and 5m",
                            a + ":12:11: Vigil posts alerts to webhooks (Alertmanager format): target must be an http(s) URL "
                                    + "such as https://alerts.example.com/vigil",
                            a + ":18:20: Vigil does not alert on missing data: set alertWhenNoData: false or leave it out",
                            a + ":20:44: unknown field \"url\" beside targetRef (allowed: targetRef)",
                            a + ":27:14: a condition needs alertAfter (e.g. kind: burnrate, op: gte, threshold: 14.4, "
                                    + "lookbackWindow: 1h, alertAfter: 5m)",
                            // The policy "paging" is itself refused above, so none is defined.
                            c + ":14:23: no alert policy named \"pagin\" in the objectives' files (none is defined)");
                });
    }

    @Test
    void aNameDefinedTwiceOrUsedButNeverDefinedIsNamedWhereItStands() {
        assertThatThrownBy(() -> load(SLO, ALERTING.replace("conditionRef: fast-burn", "conditionRef: fast-burns")
                + "---\n" + ALERTING.substring(0, ALERTING.indexOf("---")))).isInstanceOfSatisfying(InvalidConfig.class, e -> {
                    String a = dir.resolve("slo/alerting.yaml").toString();
                    assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                            a + ":20:31: no alert condition named \"fast-burns\" in the objectives' files; did you mean "
                                    + "\"fast-burn\"? (defined: fast-burn)",
                            a + ":25:18: a second AlertCondition named fast-burn: names must be unique across the "
                                    + "objectives' files");
                });
    }
}
