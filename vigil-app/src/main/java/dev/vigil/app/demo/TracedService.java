package dev.vigil.app.demo;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One service of the simulated estate that is instrumented with OpenTelemetry instead of posting Vigil's
 * events: its calls leave as CLIENT spans, batched by the SDK and exported over OTLP/HTTP to {@code /v1/traces},
 * as a real application's would. Vigil makes the same call events of them (service, operation, peer, outcome,
 * duration, unit from {@code vigil.unit}), so the dashboard shows it like the others.
 */
final class TracedService implements AutoCloseable {

    /** The service whose calls are spans. */
    static final String NAME = "order-service";

    private final SdkTracerProvider provider;
    private final Tracer tracer;

    TracedService(URI baseUrl) {
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.builder()
                .put("service.name", NAME)
                .put("service.instance.id", NAME + "-1")
                .put("host.name", "app-host-2")
                .put("deployment.environment.name", "demo")
                .put("vigil.unit", Estate.unitOf(NAME))
                .build()));
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(baseUrl.resolve("/v1/traces").toString())
                .setTimeout(Duration.ofSeconds(30))
                .build();
        provider = SdkTracerProvider.builder().setResource(resource)
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(200)).build())
                .build();
        tracer = provider.get("vigil-demo");
    }

    /** A call to {@code peer} that started at {@code startMicros} and took {@code ms}. */
    void call(long startMicros, String operation, String peer, double ms, String outcome, String orderId) {
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
        span.end(startMicros + Math.round(ms * 1000), TimeUnit.MICROSECONDS);
    }

    /** Sends what is still batched. */
    @Override
    public void close() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }
}
