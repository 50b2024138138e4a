package dev.vigil.server.otlp;

import static dev.vigil.server.otlp.GrpcCode.INTERNAL;
import static dev.vigil.server.otlp.GrpcCode.INVALID_ARGUMENT;
import static dev.vigil.server.otlp.GrpcCode.UNAVAILABLE;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.CodedOutputStream;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.vigil.server.Json;
import dev.vigil.server.ingest.Gunzip;
import dev.vigil.server.ingest.IngestService;
import dev.vigil.server.ingest.StoreRefusal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/traces} and {@code /v1/metrics}: OTLP/HTTP export, protobuf or JSON, gzip or not. The same
 * promises as {@code /ingest/events}: an answer of 200 means every item it does not list as rejected is durable;
 * items that cannot be taken are rejected one by one ({@code partial_success} with the count and a message naming
 * each problem) without touching the others; an overloaded store answers 503 with {@code Retry-After}, which OTLP
 * exporters retry. Errors are {@code google.rpc.Status} in the request's encoding, as the OTLP specification asks.
 */
public final class OtlpHttpService implements HttpService {

    static final MediaType PROTOBUF = MediaType.create("application", "x-protobuf");

    private final OtlpExport ingest;
    private final long maxBodyBytes;

    public OtlpHttpService(OtlpExport ingest, long maxBodyBytes) {
        this.ingest = ingest;
        this.maxBodyBytes = maxBodyBytes;
    }

    private enum Encoding { PROTOBUF, JSON }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        MediaType type = req.contentType();
        // errors go back in the request's encoding; a request without protobuf (a person trying the URL) reads JSON
        Encoding encoding = type != null && type.is(PROTOBUF) ? Encoding.PROTOBUF : Encoding.JSON;
        if (req.method() != HttpMethod.POST) {
            return IngestService.refuse(req, status(ResponseHeaders.builder(HttpStatus.METHOD_NOT_ALLOWED).add(HttpHeaderNames.ALLOW,
                    "POST"), encoding, INVALID_ARGUMENT, "send " + ingest.signal() + " with POST (OTLP/HTTP)"));
        }
        if (type == null || !(type.is(PROTOBUF) || type.is(MediaType.JSON))) {
            return IngestService.refuse(req, status(ResponseHeaders.builder(HttpStatus.UNSUPPORTED_MEDIA_TYPE), encoding,
                    INVALID_ARGUMENT, (type == null ? "no Content-Type" : "Content-Type " + type + " is not accepted")
                            + ": send application/x-protobuf or application/json (OTLP/HTTP)"));
        }
        String contentEncoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        boolean gzip;
        if (contentEncoding == null || contentEncoding.equalsIgnoreCase("identity")) {
            gzip = false;
        } else if (contentEncoding.equalsIgnoreCase("gzip")) {
            gzip = true;
        } else {
            return IngestService.refuse(req, status(ResponseHeaders.builder(HttpStatus.UNSUPPORTED_MEDIA_TYPE), encoding,
                    INVALID_ARGUMENT, "Content-Encoding " + contentEncoding + " is not accepted: send gzip or none"));
        }
        return HttpResponse.of(req.aggregate().thenCompose(agg -> handle(agg, encoding, gzip, ctx.blockingTaskExecutor()))
                .exceptionally(e -> {
                    // A body over the limit without a Content-Length that said so fails while it is read.
                    if (com.linecorp.armeria.common.util.Exceptions.peel(e)
                            instanceof com.linecorp.armeria.common.ContentTooLargeException) {
                        return tooLarge(type, maxBodyBytes).toHttpResponse();
                    }
                    return com.linecorp.armeria.common.util.Exceptions.throwUnsafely(e);
                }));
    }

    private CompletableFuture<HttpResponse> handle(AggregatedHttpRequest agg, Encoding encoding, boolean gzip,
                                                   java.util.concurrent.Executor blocking) {
        HttpData content = agg.content();
        Gunzip.Body body = new Gunzip.Body(content.array(), content.length());
        if (gzip) {
            try {
                body = Gunzip.inflate(body.bytes(), body.length(), maxBodyBytes);
            } catch (Gunzip.TooLarge e) {
                return done(status(ResponseHeaders.builder(HttpStatus.REQUEST_ENTITY_TOO_LARGE), encoding, INVALID_ARGUMENT,
                        "the body, once decompressed, is larger than " + maxBodyBytes
                                + " bytes; export smaller batches or raise --max-body"));
            } catch (IOException e) {
                return done(status(ResponseHeaders.builder(HttpStatus.BAD_REQUEST), encoding, INVALID_ARGUMENT,
                        "the body is not valid gzip: " + e.getMessage()));
            }
        }
        CompletableFuture<OtlpExport.Outcome> exported;
        try {
            exported = ingest.export(body.bytes(), body.length(), encoding == Encoding.JSON, blocking);
        } catch (OtlpExport.Unreadable e) {
            return done(status(ResponseHeaders.builder(HttpStatus.BAD_REQUEST), encoding, INVALID_ARGUMENT, e.getMessage()));
        }
        return exported.thenApply(outcome -> switch (outcome) {
            case OtlpExport.Stored stored -> success(encoding, stored.rejected(), stored.message());
            case OtlpExport.AllRejected all ->
                    status(ResponseHeaders.builder(HttpStatus.BAD_REQUEST), encoding, INVALID_ARGUMENT, all.message());
            case OtlpExport.NotStored not -> {
                StoreRefusal refusal = not.refusal();
                ResponseHeadersBuilder headers = ResponseHeaders.builder(refusal.status());
                if (refusal.retryAfterSeconds() != null) {
                    headers.add(HttpHeaderNames.RETRY_AFTER, String.valueOf(refusal.retryAfterSeconds()));
                }
                yield status(headers, encoding, refusal.status() == HttpStatus.SERVICE_UNAVAILABLE ? UNAVAILABLE : INTERNAL,
                        refusal.detail());
            }
        });
    }

    private static CompletableFuture<HttpResponse> done(HttpResponse response) {
        return CompletableFuture.completedFuture(response);
    }

    private HttpResponse success(Encoding encoding, int rejected, String message) {
        if (encoding == Encoding.PROTOBUF) {
            return HttpResponse.of(HttpStatus.OK, PROTOBUF, ingest.response(rejected, message));
        }
        return Json.response(HttpStatus.OK, g -> {
            g.writeStartObject();
            if (rejected > 0) {
                g.writeObjectFieldStart("partialSuccess");
                // proto3's JSON mapping writes 64-bit integers as strings
                g.writeStringField(ingest.rejectedField(), Long.toString(rejected));
                g.writeStringField("errorMessage", message);
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    /** A {@code google.rpc.Status} (code, message) in the request's encoding. */
    private static HttpResponse status(ResponseHeadersBuilder headers, Encoding encoding, int code, String message) {
        return statusOf(headers, encoding == Encoding.PROTOBUF, code, message).toHttpResponse();
    }

    /**
     * An error the server gives before any service reads the request (a body over {@code --max-body} by its
     * Content-Length, say) as OTLP asks: a {@code google.rpc.Status} in the request's encoding.
     */
    public static AggregatedHttpResponse tooLarge(MediaType requestType, long maxBodyBytes) {
        return statusOf(ResponseHeaders.builder(HttpStatus.REQUEST_ENTITY_TOO_LARGE),
                requestType != null && requestType.is(PROTOBUF), INVALID_ARGUMENT,
                "the body is larger than " + maxBodyBytes + " bytes; export smaller batches or raise --max-body");
    }

    private static AggregatedHttpResponse statusOf(ResponseHeadersBuilder headers, boolean protobuf, int code, String message) {
        if (!protobuf) {
            return AggregatedHttpResponse.of(headers.contentType(MediaType.JSON_UTF_8).build(), HttpData.wrap(Json.bytes(
                    (JsonGenerator g) -> {
                        g.writeStartObject();
                        g.writeNumberField("code", code);
                        g.writeStringField("message", message);
                        g.writeEndObject();
                    })));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + message.length() * 2);
        try {
            CodedOutputStream coded = CodedOutputStream.newInstance(out);
            coded.writeInt32(1, code);
            coded.writeString(2, message);
            coded.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return AggregatedHttpResponse.of(headers.contentType(PROTOBUF).build(), HttpData.wrap(out.toByteArray()));
    }
}
