package dev.vigil.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.assess.Contract;
import dev.vigil.config.VigilConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Vigil's Contract extension, next to the SLOs it covers, in files vigil.yaml names. */
class ContractLoadingTest {

    static final String SLO = """
            apiVersion: openslo/v1
            kind: SLO
            metadata: {name: carrier-availability}
            spec:
              indicator:
                spec:
                  ratioMetric:
                    good: {metricSource: {type: Vigil, spec: {dimension: peer, key: carrier-api}}}
                    total: {metricSource: {type: Vigil, spec: {dimension: peer, key: carrier-api}}}
              timeWindow: [{duration: 28d, isRolling: true}]
              budgetingMethod: Occurrences
              objectives: [{target: 0.999}]
            """;

    /** A second objective with its own target, for bands of their own. */
    static final String LATENCY_SLO = """
            apiVersion: openslo/v1
            kind: SLO
            metadata: {name: carrier-latency}
            spec:
              indicator:
                spec:
                  ratioMetric:
                    good: {metricSource: {type: Vigil, spec: {dimension: peer, key: carrier-api, durationAtMost: 1s}}}
                    total: {metricSource: {type: Vigil, spec: {dimension: peer, key: carrier-api}}}
              timeWindow: [{duration: 28d, isRolling: true}]
              budgetingMethod: Occurrences
              objectives: [{target: 0.97}]
            """;

    @TempDir
    Path dir;

    VigilConfig load(String contract) throws Exception {
        Files.createDirectories(dir.resolve("slo"));
        Files.writeString(dir.resolve("slo/carrier.yaml"), SLO);
        Files.writeString(dir.resolve("slo/latency.yaml"), LATENCY_SLO);
        Files.writeString(dir.resolve("slo/contract.yaml"), contract);
        Files.writeString(dir.resolve("vigil.yaml"), "objectives: [slo/]\n");
        return ConfigLoader.load(dir.resolve("vigil.yaml"));
    }

    @Test
    void aContractCoversObjectivesOfAnotherFileWithItsPenaltyBands() throws Exception {
        VigilConfig c = load("""
                apiVersion: vigil.dev/v1
                kind: Contract
                metadata: {name: parcelco-2026, displayName: ParcelCo delivery services 2026}
                spec:
                  supplier: ParcelCo
                  unit: retail
                  objectives: [carrier-availability]
                  period: 1M
                  notes: Credits are claimed within 30 days of the report.
                  penaltyBands:
                    - {below: 99.9, consequence: 5% service credit}
                    - {below: 99.5, consequence: 10% service credit}
                """);
        assertThat(c.contracts()).containsExactly(new Contract("parcelco-2026", "ParcelCo delivery services 2026", "ParcelCo",
                true, "retail", List.of("carrier-availability"), "1M", "Credits are claimed within 30 days of the report.",
                List.of(new Contract.PenaltyBand(99.9, "5% service credit"), new Contract.PenaltyBand(99.5, "10% service credit"))));
    }

    @Test
    void aBadContractIsRefusedWithEveryProblemInPlace() {
        assertThatThrownBy(() -> load("""
                apiVersion: openslo/v1
                kind: Contract
                metadata: {name: parcelco}
                spec:
                  supplier: ParcelCo
                  provider: Logistics team
                  objectives: [carrier-availabilty]
                  period: 30d
                  penaltyBands:
                    - {below: 99.5, consequence: 10% credit}
                    - {below: 99.9, consequence: 5% credit}
                """)).isInstanceOfSatisfying(InvalidConfig.class, e -> {
                    String f = dir.resolve("slo/contract.yaml").toString();
                    assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                            f + ":1:13: a Contract is Vigil's extension: apiVersion must be vigil.dev/v1",
                            f + ":5:3: a Contract names exactly one of supplier (an outside company) or provider (an internal team)",
                            f + ":8:11: period must be months, quarters or years: 1M, 3M, 1Q or 1Y",
                            f + ":11:15: penalty bands go from the mildest to the strictest: each below lower than the one before");
                });
    }

    @Test
    void aContractCoveringAnObjectiveNoFileDefinesNamesItWithTheNearestName() {
        assertThatThrownBy(() -> load("""
                apiVersion: vigil.dev/v1
                kind: Contract
                metadata: {name: parcelco}
                spec:
                  supplier: ParcelCo
                  objectives: [carrier-availabilty]
                """)).isInstanceOfSatisfying(InvalidConfig.class, e -> assertThat(e.errors()).extracting(ConfigError::toString)
                .containsExactly(dir.resolve("slo/contract.yaml") + ":6:16: contract parcelco covers \"carrier-availabilty\", "
                        + "which no SLO of the objectives' files is named; did you mean \"carrier-availability\"?"));
    }

    @Test
    void aPenaltyBandMayHoldForOneObjectiveOnlyEachObjectivesBandsOrderedOnTheirOwn() throws Exception {
        Contract c = load("""
                apiVersion: vigil.dev/v1
                kind: Contract
                metadata: {name: parcelco-2026}
                spec:
                  supplier: ParcelCo
                  objectives: [carrier-availability, carrier-latency]
                  period: 1M
                  penaltyBands:
                    - {below: 99.9, consequence: 5% service credit, objective: carrier-availability}
                    - {below: 99.5, consequence: 10% service credit, objective: carrier-availability}
                    - {below: 97, consequence: 5% service credit, objective: carrier-latency}
                    - {below: 90, consequence: termination right}
                """).contracts().get(0);

        assertThat(c.bandReached("carrier-latency", 98.0)).as("kept its own target of 97%").isNull();
        assertThat(c.bandReached("carrier-availability", 98.0).consequence()).isEqualTo("10% service credit");
        assertThat(c.bandReached("carrier-latency", 96.0).consequence()).isEqualTo("5% service credit");
        assertThat(c.bandReached("carrier-latency", 80.0).consequence()).as("a band for all, stricter").isEqualTo("termination right");
    }

    @Test
    void aPenaltyBandNamingAnObjectiveTheContractDoesNotCoverIsRefusedInPlace() {
        assertThatThrownBy(() -> load("""
                apiVersion: vigil.dev/v1
                kind: Contract
                metadata: {name: parcelco-2026}
                spec:
                  supplier: ParcelCo
                  objectives: [carrier-availability]
                  period: 1M
                  penaltyBands:
                    - {below: 99.9, consequence: 5% service credit, objective: carrier-latency}
                """)).isInstanceOfSatisfying(InvalidConfig.class, e -> assertThat(e.errors()).extracting(ConfigError::toString)
                .containsExactly(dir.resolve("slo/contract.yaml") + ":9:64: the band's objective \"carrier-latency\" is not one of "
                        + "the contract's objectives (carrier-availability); name one of them, or leave objective out for a "
                        + "band that holds for all"));
    }
}
