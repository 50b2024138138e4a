package dev.vigil.app.demo;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The services of the simulated estate that are instrumented with OpenTelemetry instead of posting Vigil's events:
 * the order service's calls leave as CLIENT spans, batched by the SDK and exported over OTLP/HTTP to
 * {@code /v1/traces}, as a real application's would. Its calls to the warehouse carry their trace context, as an
 * instrumented HTTP client's do, and the warehouse (instrumented too) serves them as SERVER spans and queries its
 * database (which sends no spans) under them. Vigil makes call events of the spans (service, operation, peer,
 * outcome, duration, unit from {@code vigil.unit}) and pairs the two ends of each call on its dependency map.
 */
final class TracedService implements AutoCloseable {

    /** The service whose calls are spans. */
    static final String NAME = "order-service";
    /** The traced service it calls, which answers with SERVER spans. */
    static final String CALLEE = "warehouse";
    /** The warehouse's database: it sends no spans, so the map draws it as a virtual node. */
    static final String DATABASE = "stock-db";

    private final SdkTracerProvider provider;
    private final SdkTracerProvider calleeProvider;
    private final Tracer tracer;
    private final Tracer callee;

    TracedService(URI baseUrl) {
        provider = provider(baseUrl, NAME, "app-host-2");
        calleeProvider = provider(baseUrl, CALLEE, "app-host-3");
        tracer = provider.get("vigil-demo");
        callee = calleeProvider.get("vigil-demo");
    }

    private static SdkTracerProvider provider(URI baseUrl, String service, String host) {
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.builder()
                .put("service.name", service)
                .put("service.instance.id", service + "-1")
                .put("host.name", host)
                .put("deployment.environment.name", "demo")
                .put("vigil.unit", Estate.unitOf(service))
                .build()));
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(baseUrl.resolve("/v1/traces").toString())
                .setTimeout(Duration.ofSeconds(30))
                .build();
        return SdkTracerProvider.builder().setResource(resource)
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(200)).build())
                .build();
    }

    /** A call to {@code peer} that started at {@code startMicros} and took {@code ms}. */
    void call(long startMicros, String operation, String peer, double ms, String outcome, String orderId, boolean slowDatabase) {
        Span span = tracer.spanBuilder(operation).setSpanKind(SpanKind.CLIENT)
                .setStartTimestamp(startMicros, TimeUnit.MICROSECONDS)
                .setAttribute("peer.service", peer)
                .startSpan();
        if (orderId != null) {
            span.setAttribute("app.order_id", orderId);
        }
        if (!outcome.equals("ok")) {
            span.setStatus(StatusCode.ERROR, outcome);
        }
        long endMicros = startMicros + Math.round(ms * 1000);
        if (peer.equals(CALLEE)) {
            serve(span, operation, startMicros, endMicros, outcome, slowDatabase);
        }
        span.end(endMicros, TimeUnit.MICROSECONDS);
    }

    /**
     * The warehouse's side of a call: it starts a little after the client sent it and ends a little before the
     * answer arrives (network and queueing, about a tenth of the call), and spends a third of its time in its database
     * (nine tenths when the database is slow).
     */
    private void serve(Span client, String operation, long clientStart, long clientEnd, String outcome, boolean slowDatabase) {
        long gap = Math.max(200, (clientEnd - clientStart) / 20);
        long start = clientStart + gap;
        long end = Math.max(start + 100, clientEnd - gap);
        Span served = callee.spanBuilder(operation).setSpanKind(SpanKind.SERVER).setParent(Context.root().with(client))
                .setStartTimestamp(start, TimeUnit.MICROSECONDS).startSpan();
        // A slow database is most of the warehouse's time: the trace shows where it goes.
        long query = Math.max(50, slowDatabase ? (end - start) * 9 / 10 : (end - start) / 3);
        callee.spanBuilder("UPDATE stock").setSpanKind(SpanKind.CLIENT).setParent(Context.root().with(served))
                .setAttribute("db.system.name", "postgresql").setAttribute("db.namespace", DATABASE)
                .setStartTimestamp(start + 10, TimeUnit.MICROSECONDS).startSpan()
                .end(start + 10 + query, TimeUnit.MICROSECONDS);
        if (!outcome.equals("ok")) {
            served.setStatus(StatusCode.ERROR, outcome);
        }
        served.end(end, TimeUnit.MICROSECONDS);
    }

    /** Sends what is still batched. */
    @Override
    public void close() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
        calleeProvider.shutdown().join(10, TimeUnit.SECONDS);
    }
}
