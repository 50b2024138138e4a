package dev.vigil.server.otlp;

import static dev.vigil.server.otlp.GrpcCode.INTERNAL;
import static dev.vigil.server.otlp.GrpcCode.INVALID_ARGUMENT;
import static dev.vigil.server.otlp.GrpcCode.OK;
import static dev.vigil.server.otlp.GrpcCode.UNAVAILABLE;
import static dev.vigil.server.otlp.GrpcCode.UNIMPLEMENTED;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.vigil.server.ingest.Gunzip;
import dev.vigil.server.ingest.IngestService;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * OTLP/gRPC {@code TraceService/Export} and {@code MetricsService/Export}, one instance per signal: unary gRPC framed by hand on Armeria's HTTP/2 (docs/ARCHITECTURE.md
 * says why not grpc-java). A request is one length-prefixed message, maybe gzip-compressed
 * ({@code grpc-encoding: gzip}); the answer is one message and a {@code grpc-status} trailer, or a status alone.
 * Statuses follow the OTLP specification: INVALID_ARGUMENT for what sending again cannot mend, UNAVAILABLE
 * (retried by exporters) when the store took nothing.
 */
public final class OtlpGrpcService implements HttpService {

    public static final String TRACES = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    public static final String METRICS = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
    private static final MediaType GRPC = MediaType.create("application", "grpc");

    private final OtlpExport ingest;
    private final long maxBodyBytes;

    public OtlpGrpcService(OtlpExport ingest, long maxBodyBytes) {
        this.ingest = ingest;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * The gRPC port's answer to anything but its two methods: to a gRPC call, UNIMPLEMENTED (a gRPC client reads
     * only the status; an HTTP 404 reaches it as an opaque transport error); to anything else, {@code otherwise}.
     */
    public static HttpResponse notServed(HttpRequest req, java.util.function.Supplier<HttpResponse> otherwise) {
        if (!isGrpc(req)) {
            return otherwise.get();
        }
        String path = req.path();
        String what = path.contains(".LogsService/") ? "Vigil does not take logs"
                : path.contains(".ProfilesService/") ? "Vigil does not take profiles" : "no such method";
        return IngestService.refuse(req, status(UNIMPLEMENTED, what + " (" + path + "); this port serves " + TRACES
                + " and " + METRICS));
    }

    /** Whether a request is a gRPC call (what a gRPC client reads its status from). */
    public static boolean isGrpc(HttpRequest req) {
        MediaType type = req.contentType();
        return type != null && type.type().equals("application") && type.subtype().startsWith("grpc");
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        MediaType type = req.contentType();
        if (type == null || !type.subtype().startsWith("grpc") || !type.type().equals("application")) {
            return IngestService.refuse(req, HttpResponse.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, MediaType.PLAIN_TEXT_UTF_8,
                    "this is OTLP/gRPC: send application/grpc over HTTP/2 (or OTLP/HTTP to /v1/" + ingest.signal() + ")"));
        }
        if (!type.subtype().equals("grpc") && !type.subtype().equals("grpc+proto")) {
            return IngestService.refuse(req, status(UNIMPLEMENTED, "this server reads gRPC messages in protobuf "
                    + "(application/grpc or application/grpc+proto), not " + type.subtype()));
        }
        String encoding = req.headers().get("grpc-encoding");
        return HttpResponse.of(req.aggregate().thenCompose(agg -> handle(agg, encoding, ctx.blockingTaskExecutor())));
    }

    private CompletableFuture<HttpResponse> handle(AggregatedHttpRequest agg, String encoding,
                                                   java.util.concurrent.Executor blocking) {
        ByteBuffer frame = ByteBuffer.wrap(agg.content().array(), 0, agg.content().length());
        if (frame.remaining() < 5) {
            return done(status(INVALID_ARGUMENT, "the request holds no gRPC message (a unary call sends exactly one)"));
        }
        byte compressed = frame.get();
        long length = Integer.toUnsignedLong(frame.getInt());
        if (length != frame.remaining()) {
            return done(status(INVALID_ARGUMENT, "the gRPC frame says " + length + " bytes but " + frame.remaining()
                    + " follow (a unary call sends exactly one message)"));
        }
        Gunzip.Body message = new Gunzip.Body(java.util.Arrays.copyOfRange(frame.array(), 5, frame.limit()), (int) length);
        if (compressed == 1) {
            if (encoding == null) {
                return done(status(INTERNAL, "the message is marked compressed but the call names no grpc-encoding: "
                        + "send grpc-encoding: gzip with it"));
            }
            if (!encoding.equalsIgnoreCase("gzip")) {
                return done(status(UNIMPLEMENTED, "message compressed with " + encoding + ": send gzip or identity"));
            }
            try {
                message = Gunzip.inflate(message.bytes(), message.length(), maxBodyBytes);
            } catch (Gunzip.TooLarge e) {
                return done(status(INVALID_ARGUMENT, "the message, once decompressed, is larger than " + maxBodyBytes
                        + " bytes; export smaller batches or raise --max-body"));
            } catch (IOException e) {
                return done(status(INVALID_ARGUMENT, "the message is not valid gzip: " + e.getMessage()));
            }
        } else if (compressed != 0) {
            return done(status(INVALID_ARGUMENT, "the gRPC frame's compression flag is " + compressed + ", not 0 or 1"));
        }
        CompletableFuture<OtlpExport.Outcome> exported;
        try {
            exported = ingest.export(message.bytes(), message.length(), false, blocking);
        } catch (OtlpExport.Unreadable e) {
            return done(status(INVALID_ARGUMENT, e.getMessage()));
        }
        return exported.thenApply(outcome -> switch (outcome) {
            case OtlpExport.Stored stored -> answer(ingest.response(stored.rejected(), stored.message()));
            case OtlpExport.AllRejected all -> status(INVALID_ARGUMENT, all.message());
            case OtlpExport.NotStored not -> status(
                    not.refusal().status() == HttpStatus.SERVICE_UNAVAILABLE || not.refusal().retryAfterSeconds() != null
                            ? UNAVAILABLE : INTERNAL, not.refusal().detail());
        });
    }

    private static CompletableFuture<HttpResponse> done(HttpResponse response) {
        return CompletableFuture.completedFuture(response);
    }

    private static HttpResponse answer(byte[] message) {
        byte[] framed = new byte[5 + message.length];
        ByteBuffer.wrap(framed).put((byte) 0).putInt(message.length).put(message);
        return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK).contentType(GRPC).add("grpc-encoding", "identity")
                .build(), HttpData.wrap(framed), HttpHeaders.of("grpc-status", String.valueOf(OK)));
    }

    /**
     * A trailers-only answer: the call ended with this status and no message. It must be one HEADERS frame that
     * ends the stream: headers followed by an empty DATA frame read as "no status" (UNKNOWN in gRPC's C core,
     * INTERNAL in grpc-java), and an UNAVAILABLE lost that way would not be retried.
     */
    public static HttpResponse status(int code, String message) {
        return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK).contentType(GRPC).endOfStream(true)
                .add("grpc-status", String.valueOf(code)).add("grpc-message", percentEncode(message)).build());
    }

    /** grpc-message is percent-encoded UTF-8: printable ASCII but '%' as is, every other byte as %XX. */
    static String percentEncode(String message) {
        StringBuilder b = new StringBuilder(message.length());
        for (byte x : message.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }
}
