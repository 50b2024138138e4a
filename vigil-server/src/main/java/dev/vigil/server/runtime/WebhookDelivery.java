package dev.vigil.server.runtime;

import dev.vigil.store.AlertStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the alert outbox: each notification is POSTed to its target; a 2xx answer removes it, anything
 * else (or no answer) brings it back after a backoff of 1 s doubling per attempt, with jitter, up to 5
 * minutes. Notifications wait in DuckDB, so a receiver that is down for hours, or a Vigil restart, loses
 * none. Each carries {@code X-Vigil-Notification: <id>}: a receiver that saw the id before can drop it
 * (a crash between the receiver's answer and the removal sends it once more).
 */
final class WebhookDelivery implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);

    private final AlertStore store;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Thread thread;
    private volatile boolean running = true;

    WebhookDelivery(AlertStore store) {
        this.store = store;
        this.thread = Thread.ofPlatform().daemon(true).name("vigil-webhooks").start(this::loop);
    }

    private void loop() {
        while (running) {
            try {
                boolean any = false;
                for (AlertStore.Pending p : store.due(100)) {
                    any = true;
                    deliver(p);
                }
                if (!any) {
                    Thread.sleep(250);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.error("delivering alert notifications failed; trying again", e);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void deliver(AlertStore.Pending p) throws Exception {
        String error;
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(p.target())).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json").header("X-Vigil-Notification", Long.toString(p.id()))
                    .POST(HttpRequest.BodyPublishers.ofString(p.payload())).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 == 2) {
                store.delivered(p.id());
                return;
            }
            error = "HTTP " + r.statusCode();
        } catch (java.io.IOException e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        long backoff = Math.min(300_000L, 1000L << Math.min(p.attempts(), 20));
        long delay = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        if (p.attempts() == 0) {
            LOG.warn("alert notification {} to {} not delivered ({}); it waits in the outbox and is retried", p.id(),
                    p.target(), error);
        }
        store.failed(p.id(), delay, error);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
