package dev.vigil.batch.run;

/**
 * What a run did and how fast, for the table, the report and the recommendation.
 *
 * @param records      records in the input
 * @param resumedAt    records already done when this run started (0 on a fresh run)
 * @param applied      records the service confirmed as applied, by this run or an earlier attempt (over the
 *                     run and its resumptions)
 * @param duplicates   of those, records sent again that the service recognised by their key as applied
 *                     before (a retry after a lost reply, or a resumption re-sending its last records)
 * @param rejected     records in the reject file
 * @param retries      requests sent again after a transient failure
 * @param calls        requests sent by this run (validation included)
 * @param seconds      wall time of this run's loading, from the first request to the last answer
 * @param perSecond    records resolved per second by this run
 * @param callLatency  latency of this run's requests
 * @param onlineBefore what the online probe measured before the run started
 * @param onlineDuring what the online probe measured while the run went on
 * @param utilisation  share of the service's worker time busy during the run, when the service reports it
 * @param rateHistory  adaptive runs: every two seconds, {seconds into the run, rate set, online p99 seen}
 * @param limited      the run stopped at its budget (time or records) before the end of the input (comparisons)
 * @param reported     events posted to Vigil ({@code --report-to}), and those dropped, or null without it
 */
public record RunResult(Strategy strategy, long records, long resumedAt, long applied, long duplicates, long rejected,
                        long retries, long calls, double seconds, double perSecond, Latencies callLatency,
                        Latencies onlineBefore, Latencies onlineDuring, long probeFailures, Double utilisation,
                        java.util.List<double[]> rateHistory, boolean limited, Reported reported) {

    /** What {@code --report-to} delivered: events posted under the run's id, and events dropped. */
    public record Reported(String runId, long sent, long dropped) {
    }
}
