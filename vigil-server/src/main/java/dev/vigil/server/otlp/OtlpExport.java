package dev.vigil.server.otlp;

import dev.vigil.server.ingest.StoreRefusal;
import java.util.concurrent.CompletableFuture;

/**
 * One OTLP signal (traces, metrics) as both transports serve it: it reads a request's body and takes in what it
 * can; the transports ({@link OtlpHttpService}, {@link OtlpGrpcService}) only read frames and write answers.
 */
interface OtlpExport {

    /** "traces" or "metrics": the signal's word in messages, and its OTLP/HTTP path {@code /v1/<signal>}. */
    String signal();

    /** The gRPC method's path. */
    String grpcPath();

    /**
     * Reads a request, protobuf or JSON, and takes in what it can.
     *
     * @param blocking where work that waits on the store may run (the request's blocking executor, never its event loop)
     */
    CompletableFuture<Outcome> export(byte[] bytes, int length, boolean json, java.util.concurrent.Executor blocking)
            throws Unreadable;

    /** The protobuf {@code Export*ServiceResponse}, with {@code partial_success} when items were rejected. */
    byte[] response(int rejected, String message);

    /** The field of {@code partial_success} that counts rejected items: rejectedSpans, rejectedDataPoints. */
    String rejectedField();

    /** How a request ended, for the transport to answer. */
    sealed interface Outcome permits Stored, AllRejected, NotStored {
    }

    /** Kept: every item but the {@code rejected} ones, which {@code message} names ({@code null} when none). */
    record Stored(int rejected, String message) implements Outcome {
    }

    /** Every item was rejected; sending the request again cannot help. */
    record AllRejected(String message) implements Outcome {
    }

    /** Nothing of the request was kept; whether to send it again, the refusal says. */
    record NotStored(StoreRefusal refusal) implements Outcome {
    }

    /** The top-level fields of each signal's OTLP/JSON request, and where each goes. */
    java.util.Map<String, String> SIGNAL_FIELDS = java.util.Map.of(
            "resourceSpans", "/v1/traces", "resource_spans", "/v1/traces",
            "resourceMetrics", "/v1/metrics", "resource_metrics", "/v1/metrics",
            "resourceLogs", "/v1/logs", "resource_logs", "/v1/logs");

    /**
     * Refuses a JSON request of another signal (spans posted to /v1/metrics, say): read as this one it holds nothing,
     * and answering 200 would tell an exporter pointed at the wrong path that all is well.
     */
    static void refuseOtherSignal(com.fasterxml.jackson.databind.JsonNode root, String own, String path)
            throws Unreadable {
        for (var field : SIGNAL_FIELDS.entrySet()) {
            if (root.has(field.getKey()) && !field.getValue().equals(path)) {
                throw new Unreadable("this is an OTLP request with \"" + field.getKey() + "\", not \"" + own + "\": "
                        + (field.getValue().equals("/v1/logs") ? "Vigil does not take logs"
                        : "send it to " + field.getValue()) + ", not " + path);
            }
        }
    }

    /** A hint for a protobuf body that cannot be read but looks like JSON (a wrong Content-Type), or "". */
    static String jsonHint(byte[] bytes, int length) {
        return length > 0 && (bytes[0] == '{' || bytes[0] == '[')
                ? "; it looks like JSON: send it with Content-Type: application/json" : "";
    }

    /** A body that is no request of this signal, and why. */
    final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }
}
