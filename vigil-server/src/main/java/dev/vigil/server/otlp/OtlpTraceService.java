package dev.vigil.server.otlp;

import static dev.vigil.server.otlp.GrpcCode.INTERNAL;
import static dev.vigil.server.otlp.GrpcCode.INVALID_ARGUMENT;
import static dev.vigil.server.otlp.GrpcCode.UNAVAILABLE;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.linecorp.armeria.common.AggregatedHttpRequest;
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
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/traces}: OTLP/HTTP trace export, protobuf or JSON, gzip or not. The same promises as
 * {@code /ingest/events}: an answer of 200 means every span it does not list as rejected is durable; spans
 * that cannot be events are rejected one by one ({@code partial_success} with {@code rejected_spans} and a
 * message naming each problem) without touching the others; an overloaded store answers 503 with
 * {@code Retry-After}, which OTLP exporters retry. Errors are {@code google.rpc.Status} in the request's
 * encoding, as the OTLP specification asks.
 */
public final class OtlpTraceService implements HttpService {

    static final MediaType PROTOBUF = MediaType.create("application", "x-protobuf");

    private final TraceIngest ingest;
    private final long maxBodyBytes;

    public OtlpTraceService(TraceIngest ingest, long maxBodyBytes) {
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
                    "POST"), encoding, INVALID_ARGUMENT, "send spans with POST (OTLP/HTTP)"));
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
        return HttpResponse.of(req.aggregate().thenCompose(agg -> handle(agg, encoding, gzip)));
    }

    private CompletableFuture<HttpResponse> handle(AggregatedHttpRequest agg, Encoding encoding, boolean gzip) {
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
        DecodedSpans decoded;
        try {
            decoded = encoding == Encoding.JSON ? OtlpJson.decode(body.bytes(), body.length())
                    : OtlpProtobuf.decode(body.bytes(), body.length());
        } catch (OtlpJson.Unreadable e) {
            return done(status(ResponseHeaders.builder(HttpStatus.BAD_REQUEST), encoding, INVALID_ARGUMENT,
                    "not an OTLP ExportTraceServiceRequest in JSON: " + e.getMessage()));
        } catch (InvalidProtocolBufferException e) {
            return done(status(ResponseHeaders.builder(HttpStatus.BAD_REQUEST), encoding, INVALID_ARGUMENT,
                    "not an OTLP ExportTraceServiceRequest in protobuf: " + e.getMessage()));
        }
        return ingest.ingest(decoded).thenApply(outcome -> switch (outcome) {
            case TraceIngest.Stored stored -> success(encoding, stored.rejected(), stored.message());
            case TraceIngest.AllRejected all ->
                    status(ResponseHeaders.builder(HttpStatus.BAD_REQUEST), encoding, INVALID_ARGUMENT, all.message());
            case TraceIngest.NotStored not -> {
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

    private static HttpResponse success(Encoding encoding, int rejected, String message) {
        if (encoding == Encoding.PROTOBUF) {
            ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
            if (rejected > 0) {
                response.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                        .setRejectedSpans(rejected).setErrorMessage(message));
            }
            return HttpResponse.of(HttpStatus.OK, PROTOBUF, response.build().toByteArray());
        }
        return Json.response(HttpStatus.OK, g -> {
            g.writeStartObject();
            if (rejected > 0) {
                g.writeObjectFieldStart("partialSuccess");
                // proto3's JSON mapping writes 64-bit integers as strings
                g.writeStringField("rejectedSpans", Long.toString(rejected));
                g.writeStringField("errorMessage", message);
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    /** A {@code google.rpc.Status} (code, message) in the request's encoding. */
    private static HttpResponse status(ResponseHeadersBuilder headers, Encoding encoding, int code, String message) {
        if (encoding == Encoding.JSON) {
            return HttpResponse.of(headers.contentType(MediaType.JSON_UTF_8).build(), HttpData.wrap(Json.bytes(
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
        return HttpResponse.of(headers.contentType(PROTOBUF).build(), HttpData.wrap(out.toByteArray()));
    }
}
