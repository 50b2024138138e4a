package dev.vigil.pipeline;

import dev.vigil.event.Event;
import dev.vigil.order.Lateness;
import java.util.List;

/**
 * An event as the order stage hands it on: with what the pipeline's one clock made of it, and what the
 * process definitions say it is, so that no stage downstream looks either up again.
 *
 * @param seq         its sequence number in the journal
 * @param lateness    on time, late (amends outputs already handed out) or too late (counted, not folded)
 * @param watermark   the clock's watermark before it: a stage moves there before taking it, so every stage sees
 *                    events and time interleaved exactly as they were in the journal
 * @param finalBefore the clock's final line before it
 * @param process     the index of the process it is an activity of, or -1
 * @param processName that process's name (the key the correlate stage routes by), or null
 * @param activity    the index of that activity in the process, or -1
 * @param keys        its values for the process's declared keys (composite), in declared order; empty when none
 */
public record Timed(Event event, long seq, Lateness lateness, long watermark, long finalBefore,
                    int process, String processName, int activity, List<String> keys) {

    public boolean ofProcess() {
        return process >= 0;
    }
}
