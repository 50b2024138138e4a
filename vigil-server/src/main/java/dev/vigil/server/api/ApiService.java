package dev.vigil.server.api;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.vigil.event.StoredEvent;
import dev.vigil.query.EventPage;
import dev.vigil.query.EventQuery;
import dev.vigil.query.IngestStats;
import dev.vigil.query.PageCursor;
import dev.vigil.server.Json;
import dev.vigil.store.EventJournal;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The read side of the JSON API under {@code /api/v1}. Queries run on the blocking executor, never on an event loop. */
public final class ApiService {

    private static final Logger LOG = LoggerFactory.getLogger(ApiService.class);
    private static final Set<String> EVENT_PARAMS = Set.of("source", "name", "key", "from", "to", "limit", "cursor", "order");

    private final EventJournal journal;

    public ApiService(EventJournal journal) {
        this.journal = journal;
    }

    /** {@code GET /api/v1/events}. */
    public HttpResponse events(ServiceRequestContext ctx) {
        EventQuery q;
        try {
            q = eventQuery(new Params(ctx.queryParams(), EVENT_PARAMS));
        } catch (BadParameter e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        }
        return blocking(ctx, () -> {
            EventPage page = journal.query(q);
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("events");
                for (StoredEvent e : page.events()) {
                    Json.writeEvent(g, e);
                }
                g.writeEndArray();
                if (page.next() == null) {
                    g.writeNullField("next");
                } else {
                    g.writeStringField("next", page.next().encode());
                }
                g.writeEndObject();
            });
        });
    }

    static EventQuery eventQuery(Params p) {
        String key = p.text("key");
        String keyName = null;
        String keyValue = null;
        if (key != null) {
            int colon = key.indexOf(':');
            if (colon <= 0 || colon == key.length() - 1) {
                throw new BadParameter("key", "\"key\" must be name:value, e.g. key=orderId:A-17, not \"" + key + "\"");
            }
            keyName = key.substring(0, colon);
            keyValue = key.substring(colon + 1);
        }
        String order = p.text("order");
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            throw new BadParameter("order", "\"order\" must be asc (oldest first, the default) or desc, not \"" + order + "\"");
        }
        boolean newestFirst = "desc".equals(order);
        PageCursor after = null;
        String cursor = p.text("cursor");
        if (cursor != null) {
            after = PageCursor.decode(cursor).orElseThrow(() -> new BadParameter("cursor",
                    "\"cursor\" is not one this server gave out; pass back the \"next\" value of the previous page"));
            if (after.newestFirst() != newestFirst) {
                throw new BadParameter("cursor", "the cursor was made for order=" + (after.newestFirst() ? "desc" : "asc")
                        + "; keep the same order while paging");
            }
        }
        Long from = p.time("from");
        Long to = p.time("to");
        if (from != null && to != null && from > to) {
            throw new BadParameter("from", "\"from\" must not be after \"to\"");
        }
        int limit = p.integer("limit", EventQuery.DEFAULT_LIMIT, 1, EventQuery.MAX_LIMIT);
        return new EventQuery(p.text("source"), p.text("name"), keyName, keyValue, from, to, limit, newestFirst, after);
    }

    /** {@code GET /api/v1/stats}. */
    public HttpResponse stats(ServiceRequestContext ctx) {
        try {
            new Params(ctx.queryParams(), Set.of());
        } catch (BadParameter e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        }
        return blocking(ctx, () -> {
            IngestStats s = journal.stats();
            EventJournal.CommitStats c = journal.commitStats();
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                g.writeNumberField("stored", s.storedEvents());
                g.writeNumberField("lastSeq", s.lastSeq());
                g.writeNumberField("pending", journal.pendingEvents());
                g.writeObjectFieldStart("sinceStart");
                g.writeNumberField("accepted", c.events());
                g.writeNumberField("rejected", c.rejected());
                g.writeNumberField("commits", c.commits());
                g.writeNumberField("eventsPerCommit", Math.round(c.eventsPerCommit() * 10) / 10.0);
                g.writeNumberField("requestsPerCommit", Math.round(c.requestsPerCommit() * 10) / 10.0);
                g.writeObjectFieldStart("commitMillisAtMost");
                g.writeNumberField("p50", c.commitMicrosAt(0.5) / 1000.0);
                g.writeNumberField("p99", c.commitMicrosAt(0.99) / 1000.0);
                g.writeNumberField("max", c.commitMicrosAt(1.0) / 1000.0);
                g.writeEndObject();
                g.writeEndObject();
                g.writeArrayFieldStart("bySource");
                for (IngestStats.SourceNameCount sn : s.bySourceAndName()) {
                    g.writeStartObject();
                    g.writeStringField("source", sn.source());
                    g.writeStringField("name", sn.name());
                    g.writeNumberField("count", sn.count());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeObjectFieldStart("rejectedByReason");
                for (Map.Entry<String, Long> r : s.rejectedByReason().entrySet()) {
                    g.writeNumberField(r.getKey(), r.getValue());
                }
                g.writeEndObject();
                g.writeEndObject();
            });
        });
    }

    private interface Query {
        HttpResponse run() throws SQLException;
    }

    private static HttpResponse blocking(ServiceRequestContext ctx, Query query) {
        Supplier<HttpResponse> task = () -> {
            try {
                return query.run();
            } catch (SQLException e) {
                LOG.error("query failed", e);
                return Json.error(HttpStatus.INTERNAL_SERVER_ERROR, "query_failed", e.getMessage(), null);
            }
        };
        return HttpResponse.of(CompletableFuture.supplyAsync(task, ctx.blockingTaskExecutor()));
    }
}
