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
 * @param bands      penalty bands, strictest last: below {@code achievedPercent}, {@code consequence}
 */
public record Contract(String name, String displayName, String party, boolean external, String unit,
                       List<String> objectives, String period, String notes, List<PenaltyBand> bands) {

    public Contract {
        objectives = List.copyOf(objectives);
        bands = List.copyOf(bands);
    }

    /** Below this achieved percentage, this consequence (e.g. "10% service credit"). */
    public record PenaltyBand(double belowPercent, String consequence) {
    }

    /** The strictest band an achieved percentage falls below, or null when it falls below none (or is unknown). */
    public PenaltyBand bandReached(double achievedPercent) {
        PenaltyBand reached = null;
        for (PenaltyBand b : bands) {
            if (achievedPercent < b.belowPercent()) {
                reached = b;
            }
        }
        return reached;
    }
}
