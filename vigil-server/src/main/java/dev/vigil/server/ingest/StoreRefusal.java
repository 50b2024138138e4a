package dev.vigil.server.ingest;

import com.linecorp.armeria.common.HttpStatus;
import dev.vigil.store.Overloaded;
import dev.vigil.store.StoreClosed;
import dev.vigil.store.StoreUnavailable;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why the store did not take a request's items, as every ingest protocol reports it: a status, the seconds
 * after which to send again (or {@code null}: do not), a short name and a sentence. Nothing of the request was
 * stored in any of these cases, so a sender may safely send it again.
 *
 * @param retryAfterSeconds the Retry-After advice, or {@code null} when sending again will not help
 */
public record StoreRefusal(HttpStatus status, Integer retryAfterSeconds, String error, String detail) {

    private static final Logger LOG = LoggerFactory.getLogger(StoreRefusal.class);

    public static StoreRefusal of(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof Overloaded) {
            return new StoreRefusal(HttpStatus.SERVICE_UNAVAILABLE, 1, "overloaded",
                    cause.getMessage() + "; nothing of this request was stored");
        }
        if (cause instanceof StoreUnavailable) {
            return new StoreRefusal(HttpStatus.SERVICE_UNAVAILABLE, StoreUnavailable.RETRY_AFTER_SECONDS, "store_unavailable",
                    cause.getMessage() + "; nothing of this request was stored, send it again later");
        }
        if (cause instanceof StoreClosed) {
            return new StoreRefusal(HttpStatus.SERVICE_UNAVAILABLE, null, "shutting_down",
                    cause.getMessage() + "; nothing of this request was stored, send it again later");
        }
        LOG.error("events could not be stored", cause);
        return new StoreRefusal(HttpStatus.INTERNAL_SERVER_ERROR, null, "store_failed", "the events could not be stored ("
                + cause.getMessage() + "); nothing of this request was stored, send it again");
    }
}
