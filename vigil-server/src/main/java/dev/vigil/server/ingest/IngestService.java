package dev.vigil.server.ingest;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.vigil.event.Rejection;
import dev.vigil.interpret.SourceRules;
import dev.vigil.event.Timestamps;
import dev.vigil.server.Json;
import dev.vigil.store.EventStore;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /ingest/events}: decodes a body of events, keeps the valid ones durably, and answers only
 * once they are committed: {@code {"accepted": N, "rejected": [{"index", "field", "reason"}]}}.
 */
public final class IngestService implements HttpService {

    private static final MediaType NDJSON = MediaType.parse("application/x-ndjson");
    private static final MediaType NDJSON_ALIAS = MediaType.parse("application/ndjson");

    private final EventStore journal;
    private final EventDecoder decoder;
    private final long maxBodyBytes;
    private final java.util.Map<String, SourceRules> sources;

    public IngestService(EventStore journal, EventDecoder decoder, long maxBodyBytes,
                         java.util.Map<String, SourceRules> sources) {
        this.journal = journal;
        this.decoder = decoder;
        this.maxBodyBytes = maxBodyBytes;
        this.sources = java.util.Map.copyOf(sources);
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        if (req.method() != HttpMethod.POST) {
            return refuse(req, Json.error(ResponseHeaders.builder(HttpStatus.METHOD_NOT_ALLOWED)
                    .add(HttpHeaderNames.ALLOW, "POST"), "method_not_allowed", "send events with POST"));
        }
        MediaType type = req.contentType();
        EventDecoder.Format format;
        if (type == null) {
            return refuse(req, Json.error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "no Content-Type: send application/x-ndjson (one event per line) or application/json "
                            + "(one event or an array)", null));
        } else if (type.is(NDJSON) || type.is(NDJSON_ALIAS)) {
            format = EventDecoder.Format.NDJSON;
        } else if (type.is(MediaType.JSON)) {
            format = EventDecoder.Format.JSON;
        } else {
            return refuse(req, Json.error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "Content-Type " + type + " is not accepted: send application/x-ndjson or application/json", null));
        }
        if (type.charset() != null && !type.charset().name().equals("UTF-8")) {
            return refuse(req, Json.error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "charset " + type.charset().name() + " is not accepted: events are UTF-8", null));
        }
        String source = ctx.queryParam("source");
        EventDecoder.Mode mode;
        if (source == null) {
            mode = EventDecoder.Mode.CANONICAL;
        } else if (!SourceRules.isValidName(source)) {
            return refuse(req, Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", "source must be 1-128 letters, digits, "
                    + "'.', '_' or '-' (a source name from vigil.yaml, or any name to give events that have none)", "source"));
        } else if (sources.containsKey(source)) {
            mode = EventDecoder.Mode.rules(sources.get(source));
        } else {
            mode = EventDecoder.Mode.canonical(source);
        }
        String encoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        boolean gzip;
        if (encoding == null || encoding.equalsIgnoreCase("identity")) {
            gzip = false;
        } else if (encoding.equalsIgnoreCase("gzip") || encoding.equalsIgnoreCase("x-gzip")) {
            gzip = true;
        } else {
            return refuse(req, Json.error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_content_encoding",
                    "Content-Encoding " + encoding + " is not accepted: send gzip or no encoding", null));
        }
        CompletableFuture<HttpResponse> response = req.aggregate()
                .thenCompose(agg -> handle(agg, format, gzip, mode));
        return HttpResponse.of(response);
    }

    /**
     * A refusal decided on the request's headers, sent once its body has arrived (and been dropped; at most
     * the body limit is read, as for any request). Sent at once, it would end the exchange while the client
     * is still sending: HTTP/2 then resets the stream, and clients (the JDK's among them) report the reset
     * instead of the answer, more often the busier the machine.
     */
    public static HttpResponse refuse(HttpRequest req, HttpResponse refusal) {
        return HttpResponse.of(req.aggregate().handle((body, error) -> refusal));
    }

    private CompletableFuture<HttpResponse> handle(AggregatedHttpRequest agg, EventDecoder.Format format, boolean gzip,
                                                   EventDecoder.Mode mode) {
        HttpData content = agg.content();
        Gunzip.Body raw = new Gunzip.Body(content.array(), content.length());
        if (gzip) {
            try {
                raw = Gunzip.inflate(raw.bytes(), raw.length(), maxBodyBytes);
            } catch (Gunzip.TooLarge e) {
                return CompletableFuture.completedFuture(Json.error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                        "the body, once decompressed, is larger than " + maxBodyBytes
                                + " bytes; send smaller batches or raise --max-body", null));
            } catch (IOException e) {
                return CompletableFuture.completedFuture(Json.error(HttpStatus.BAD_REQUEST, "bad_encoding",
                        "the body is not valid gzip: " + e.getMessage(), null));
            }
        }
        byte[] body = raw.bytes();
        int length = raw.length();
        if (length == 0) {
            return CompletableFuture.completedFuture(Json.error(HttpStatus.BAD_REQUEST, "empty_body",
                    "the body is empty: send at least one event", null));
        }
        long now = Timestamps.toMicros(Instant.now());
        DecodedBatch batch;
        try {
            batch = decoder.decode(body, length, format, now, mode);
        } catch (EventDecoder.UnreadableBody e) {
            BodyError err = e.error();
            return CompletableFuture.completedFuture(
                    Json.error(HttpStatus.valueOf(err.status()), err.error(), err.detail(), err.at()));
        }
        if (batch.events().isEmpty() && batch.rejections().isEmpty()) {
            // 200 promises that at least one item was accepted; an answer of "accepted: 0" would hide a client
            // that sends nothing by mistake.
            return CompletableFuture.completedFuture(Json.error(HttpStatus.BAD_REQUEST, "empty_body",
                    "the body holds no events (only blank lines, or an empty array): send at least one event", null));
        }
        return journal.append(batch.events(), batch.rejectionCounts(), now)
                .handle((appended, failure) -> {
                    if (failure != null) {
                        return storeFailure(failure);
                    }
                    HttpStatus status = batch.events().isEmpty() && !batch.rejections().isEmpty()
                            ? HttpStatus.BAD_REQUEST : HttpStatus.OK;
                    return Json.response(status, g -> {
                        g.writeStartObject();
                        g.writeNumberField("accepted", appended.count());
                        if (appended.count() > 0) {
                            g.writeNumberField("firstSeq", appended.firstSeq());
                        }
                        if (batch.uninterpreted() > 0) {
                            g.writeNumberField("uninterpreted", batch.uninterpreted());
                        }
                        g.writeArrayFieldStart("rejected");
                        for (Rejection r : batch.rejections()) {
                            g.writeStartObject();
                            g.writeNumberField("index", r.index());
                            if (r.field() == null) {
                                g.writeNullField("field");
                            } else {
                                g.writeStringField("field", r.field());
                            }
                            g.writeStringField("code", r.code().wire());
                            g.writeStringField("reason", r.reason());
                            g.writeEndObject();
                        }
                        g.writeEndArray();
                        g.writeEndObject();
                    });
                });
    }

    private static HttpResponse storeFailure(Throwable failure) {
        StoreRefusal refusal = StoreRefusal.of(failure);
        ResponseHeadersBuilder headers = ResponseHeaders.builder(refusal.status());
        if (refusal.retryAfterSeconds() != null) {
            headers.add(HttpHeaderNames.RETRY_AFTER, String.valueOf(refusal.retryAfterSeconds()));
        }
        return Json.error(headers, refusal.error(), refusal.detail());
    }
}
