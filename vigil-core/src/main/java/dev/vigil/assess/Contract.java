package dev.vigil.assess;

import java.util.List;

/**
 * A supplier (or internal provider) contract: the objectives it holds a party to, for a business unit,
 * reported per period, with optional penalty bands. Vigil's own extension to OpenSLO
 * ({@code apiVersion: vigil.dev/v1}, {@code kind: Contract}), in the same files.
 *
 * @param party      the supplier or provider held to the objectives
 * @param external   a supplier (outside the company) rather than an internal provider
 * @param objectives the names of the SLOs the contract covers
 * @param period     the reporting period as OpenSLO writes durations (1M, 1Q, 1Y)
 * @param bands      penalty bands, strictest last for each objective: below {@code achievedPercent},
 *                   {@code consequence}; a band names its objective, or holds for every objective
 */
public record Contract(String name, String displayName, String party, boolean external, String unit,
                       List<String> objectives, String period, String notes, List<PenaltyBand> bands) {

    public Contract {
        objectives = List.copyOf(objectives);
        bands = List.copyOf(bands);
    }

    /**
     * Below this achieved percentage, this consequence (e.g. "10% service credit"), for the objective named, or for
     * every objective of the contract when {@code objective} is null (objectives with different targets need
     * bands of their own: a latency objective kept at 97% is not in breach of an availability band at 98.5%).
     */
    public record PenaltyBand(double belowPercent, String consequence, String objective) {

        public PenaltyBand(double belowPercent, String consequence) {
            this(belowPercent, consequence, null);
        }

        public boolean holdsFor(String objectiveName) {
            return objective == null || objective.equals(objectiveName);
        }
    }

    /**
     * The strictest band of an objective an achieved percentage falls below, or null when it falls below none (or is
     * unknown).
     */
    public PenaltyBand bandReached(String objective, double achievedPercent) {
        PenaltyBand reached = null;
        for (PenaltyBand b : bands) {
            if (b.holdsFor(objective) && achievedPercent < b.belowPercent()
                    && (reached == null || b.belowPercent() <= reached.belowPercent())) {
                reached = b;
            }
        }
        return reached;
    }
}
