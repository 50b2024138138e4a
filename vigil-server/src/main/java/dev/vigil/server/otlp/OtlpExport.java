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

    /** A body that is no request of this signal, and why. */
    final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }
}
