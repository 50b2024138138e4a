package dev.vigil.server.otlp;

import dev.vigil.event.IngestPolicy;
import dev.vigil.event.Rejection;
import dev.vigil.event.Timestamps;
import dev.vigil.server.ingest.DecodedBatch;
import dev.vigil.server.ingest.StoreRefusal;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import dev.vigil.store.EventStore;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What both OTLP transports (HTTP and gRPC) do with a request's spans: make events of them and store those
 * durably. The transports only read bodies and write answers.
 */
public final class TraceIngest implements OtlpExport {

    /** How many rejected spans the partial-success message names one by one. */
    private static final int NAMED_REJECTIONS = 5;

    private final EventStore store;
    private final SpanEvents mapper;
    private final WireSpans wire;

    /** @param spanKeys vigil.yaml's telemetry.spanKeys */
    public TraceIngest(EventStore store, IngestPolicy policy, java.util.Map<String, List<String>> spanKeys) {
        this.store = store;
        this.mapper = new SpanEvents(policy, spanKeys);
        this.wire = new WireSpans(mapper);
    }

    @Override
    public String signal() {
        return "traces";
    }

    @Override
    public String grpcPath() {
        return OtlpGrpcService.TRACES;
    }

    @Override
    public String rejectedField() {
        return "rejectedSpans";
    }

    @Override
    public CompletableFuture<Outcome> export(byte[] bytes, int length, boolean json, java.util.concurrent.Executor blocking)
            throws Unreadable {
        long now = Timestamps.toMicros(Instant.now());
        if (json) {
            DecodedSpans decoded;
            try {
                decoded = OtlpJson.decode(bytes, length);
            } catch (OtlpJson.Unreadable e) {
                throw new Unreadable("not an OTLP ExportTraceServiceRequest in JSON: " + e.getMessage());
            }
            return store(mapper.toEvents(decoded, now), decoded.total(), now);
        }
        WireSpans.Read read;
        try {
            read = wire.read(bytes, length, now);
        } catch (ProtoWire.Malformed e) {
            throw new Unreadable("not an OTLP ExportTraceServiceRequest in protobuf: " + e.getMessage()
                    + OtlpExport.jsonHint(bytes, length));
        }
        return store(read.result(), read.total(), now);
    }

    @Override
    public byte[] response(int rejected, String message) {
        ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
        if (rejected > 0) {
            response.setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(rejected).setErrorMessage(message));
        }
        return response.build().toByteArray();
    }

    private CompletableFuture<Outcome> store(SpanEvents.Result result, int total, long now) {
        if (total == 0) {
            return CompletableFuture.completedFuture(new Stored(0, null));
        }
        List<Rejection> rejected = result.rejections();
        return store.append(result.events(), result.attributesJson(), DecodedBatch.countByCode(rejected), now)
                .handle((appended, failure) -> {
                    if (failure != null) {
                        return new NotStored(StoreRefusal.of(failure));
                    }
                    String message = rejected.isEmpty() ? null : describe(rejected, total);
                    return result.events().isEmpty() ? new AllRejected(message) : new Stored(rejected.size(), message);
                });
    }

    /** "2 of 10 spans rejected (...): span 3 (traceId): ...; span 7 (...): ...". */
    static String describe(List<Rejection> rejected, int total) {
        StringBuilder b = new StringBuilder();
        b.append(rejected.size()).append(" of ").append(total).append(total == 1 ? " span" : " spans")
                .append(" rejected (spans counted from 0 across the request)");
        for (int i = 0; i < Math.min(rejected.size(), NAMED_REJECTIONS); i++) {
            Rejection r = rejected.get(i);
            b.append(i == 0 ? ": " : "; ").append("span ").append(r.index());
            if (r.field() != null) {
                b.append(" (").append(r.field()).append(')');
            }
            b.append(": ").append(r.reason());
        }
        if (rejected.size() > NAMED_REJECTIONS) {
            b.append("; and ").append(rejected.size() - NAMED_REJECTIONS).append(" more");
        }
        return b.toString();
    }
}
