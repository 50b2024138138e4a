package dev.vigil.server.otlp;

/** The gRPC status codes OTLP answers with, over gRPC and in OTLP/HTTP's {@code google.rpc.Status} bodies alike. */
final class GrpcCode {

    static final int OK = 0;
    /** What sending again cannot mend: the request is wrong. */
    static final int INVALID_ARGUMENT = 3;
    static final int UNIMPLEMENTED = 12;
    static final int INTERNAL = 13;
    /** Nothing was stored; exporters retry. */
    static final int UNAVAILABLE = 14;

    private GrpcCode() {
    }
}
