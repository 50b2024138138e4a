package dev.vigil.server;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.vigil.server.api.AlertsApi;
import dev.vigil.server.api.ApiService;
import dev.vigil.server.ingest.EventDecoder;
import dev.vigil.server.ingest.IngestService;
import dev.vigil.server.otlp.MetricsIngest;
import dev.vigil.server.otlp.OtlpGrpcService;
import dev.vigil.server.otlp.OtlpHttpService;
import dev.vigil.server.otlp.TraceIngest;
import dev.vigil.server.runtime.ObjectivesRuntime;
import dev.vigil.server.runtime.JournalForwarder;
import dev.vigil.server.runtime.FlinkOutputs;
import dev.vigil.server.runtime.PipelineRuntime;
import dev.vigil.server.runtime.PipelineView;
import dev.vigil.store.EventStore;
import java.net.InetSocketAddress;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Vigil: the store, the HTTP server on one port, and an orderly stop.
 *
 * <p>Stop order matters for "acknowledged means durable": first the HTTP server stops taking requests and
 * lets in-flight ones finish (their appends complete after commit), then the journal commits whatever is
 * still queued and closes the file.
 */
public final class VigilServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VigilServer.class);

    private final Server server;
    /** OTLP's own ports: gRPC, and the OTLP/HTTP alias; each null when off. */
    private final Server otlpGrpc;
    private final Server otlpHttp;
    private final dev.vigil.server.scrape.Scraper scraper;
    private final EventStore journal;
    private final PipelineView pipeline;
    private final AtomicBoolean stopping;
    private final ObjectivesRuntime objectives;
    private final JournalForwarder forwarder;
    /** Set by vigil demo once its simulator runs; null on a real server. */
    private final java.util.concurrent.atomic.AtomicReference<DemoControl> demo;

    private VigilServer(Server server, Server otlpGrpc, Server otlpHttp, dev.vigil.server.scrape.Scraper scraper,
                        EventStore journal, PipelineView pipeline, ObjectivesRuntime objectives,
                        AtomicBoolean stopping, JournalForwarder forwarder,
                        java.util.concurrent.atomic.AtomicReference<DemoControl> demo) {
        this.forwarder = forwarder;
        this.demo = demo;
        this.server = server;
        this.otlpGrpc = otlpGrpc;
        this.otlpHttp = otlpHttp;
        this.scraper = scraper;
        this.journal = journal;
        this.pipeline = pipeline;
        this.objectives = objectives;
        this.stopping = stopping;
    }

    /** Lets the dashboard and {@code /api/v1/demo} play the demo's incidents (vigil demo only). */
    public void demo(DemoControl control) {
        demo.set(control);
    }

    public static VigilServer start(ServerOptions options) throws SQLException {
        // Ticks are what moves the watermark of a quiet estate (every second while nothing arrives); without an
        // idle timeout they would move nothing.
        EventStore journal = EventStore.open(options.dataDir(), options.config().lateness().idleTimeoutMillis() == 0
                ? options.journal() : options.journal().withTickEveryMillis(1_000));
        // set once started, so that a failed start stops it too
        dev.vigil.server.scrape.Scraper[] scraper = new dev.vigil.server.scrape.Scraper[1];
        try {
            PipelineView pipeline;
            try {
                // With --outputs-from the pipeline runs on Flink: this server serves what the job wrote.
                pipeline = options.outputsFrom() != null
                        ? FlinkOutputs.start(options.config(), journal, options.outputsFrom())
                        : PipelineRuntime.start(options.config(), journal, options.dataDir(),
                                options.config().partitionsFor(Runtime.getRuntime().availableProcessors()));
            } catch (java.io.IOException e) {
                throw new SQLException("cannot restore the pipeline's checkpoint: " + e.getMessage()
                        + "; move " + options.dataDir().resolve("pipeline") + " aside to rebuild from the journal", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while replaying the journal", e);
            }
            JournalForwarder forwarder = options.forwardTo() == null ? null : JournalForwarder.start(journal, options.forwardTo());
            IngestService ingest = new IngestService(journal, new EventDecoder(options.policy()), options.maxBodyBytes(),
                    options.config().sources());
            ObjectivesRuntime objectives = new ObjectivesRuntime(pipeline.assess(), pipeline.alerts());
            ApiService api = new ApiService(journal, pipeline, objectives, options.config().contracts(), forwarder);
            AlertsApi alertsApi = new AlertsApi(objectives, pipeline.alerts());
            var demo = new java.util.concurrent.atomic.AtomicReference<DemoControl>();
            dev.vigil.server.api.DemoApi demoApi = new dev.vigil.server.api.DemoApi(demo);
            dev.vigil.server.api.EstateApi estate = new dev.vigil.server.api.EstateApi(pipeline, objectives,
                    options.config().contracts(), options.config().estate());
            HttpService notFound = (ctx, req) -> Json.error(HttpStatus.NOT_FOUND, "not_found",
                    "no endpoint " + req.method() + " " + req.path() + "; see docs/API.md", null);
            AtomicBoolean stopping = new AtomicBoolean();
            HttpService health = (ctx, req) -> Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                g.writeStringField("status", "up");
                g.writeEndObject();
            });
            HttpService ready = (ctx, req) -> HttpResponse.of(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                String problem = stopping.get() ? "the server is stopping" : journal.problem();
                if (problem == null) {
                    problem = pipeline.problem();
                }
                String why = problem;
                return Json.response(why == null ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE, g -> {
                    g.writeStartObject();
                    g.writeStringField("status", why == null ? "ready" : stopping.get() ? "stopping" : "store unavailable");
                    if (why != null) {
                        g.writeStringField("reason", why);
                    }
                    g.writeNumberField("stored", journal.storedEvents());
                    g.writeEndObject();
                });
            }, ctx.blockingTaskExecutor()));
            HostGuard guard = HostGuard.forThisMachine(options.bindAddress(), options.allowedHosts());
            scraper[0] = dev.vigil.server.scrape.Scraper.start(options.config().scrapes(),
                    new dev.vigil.store.HostStore(journal));
            dev.vigil.server.api.HostsApi hostsApi = new dev.vigil.server.api.HostsApi(scraper[0], pipeline,
                    options.config().estate(), options.config().scrapes());
            dev.vigil.server.api.AlignmentApi alignment = new dev.vigil.server.api.AlignmentApi(pipeline, scraper[0],
                    options.config().estate(), options.config().scrapes());
            dev.vigil.server.api.FootprintsApi footprints = new dev.vigil.server.api.FootprintsApi(pipeline, scraper[0],
                    options.config().estate(), options.config().processes(), options.config().scrapes());
            // one way from spans to stored events, whichever transport brought them
            TraceIngest traces = new TraceIngest(journal, options.policy(), options.config().spanKeys());
            OtlpHttpService otlpTraces = new OtlpHttpService(traces, options.maxBodyBytes());
            // host metrics over OTLP join the scraped hosts' minutes
            MetricsIngest metrics = new MetricsIngest(scraper[0], options.config().estate());
            OtlpHttpService otlpMetrics = new OtlpHttpService(metrics, options.maxBodyBytes());
            Routes routes = new Routes()
                    .get("/api/v1/events", (ctx, req) -> api.events(ctx))
                    .get("/api/v1/stats", (ctx, req) -> api.stats(ctx))
                    .get("/api/v1/status", (ctx, req) -> api.status(ctx))
                    .get("/api/v1/kpis", (ctx, req) -> api.kpis(ctx))
                    .get("/api/v1/kpis/series", (ctx, req) -> api.series(ctx))
                    .get("/api/v1/cases", (ctx, req) -> api.cases(ctx))
                    .get("/api/v1/cases/{id}", (ctx, req) -> api.caseById(ctx, ctx.pathParam("id")))
                    .get("/api/v1/objectives", (ctx, req) -> api.objectives(ctx))
                    .get("/api/v1/objectives/{name}", (ctx, req) -> api.objective(ctx, ctx.pathParam("name")))
                    .get("/api/v1/alerts", (ctx, req) -> alertsApi.alerts(ctx))
                    .post("/api/v1/alerts/acknowledge", alertsApi::acknowledge)
                    .get("/api/v1/silences", (ctx, req) -> alertsApi.silences(ctx))
                    .post("/api/v1/silences", alertsApi::silence)
                    .delete("/api/v1/silences/{id}", (ctx, req) -> alertsApi.expire(ctx, ctx.pathParam("id")))
                    .get("/api/v1/demo", (ctx, req) -> demoApi.demo(ctx))
                    .post("/api/v1/demo/incidents", demoApi::inject)
                    .get("/api/v1/reports", (ctx, req) -> api.report(ctx))
                    .get("/api/v1/contracts", (ctx, req) -> api.contracts(ctx))
                    .get("/api/v1/estate", (ctx, req) -> estate.estate(ctx))
                    .get("/api/v1/processes", (ctx, req) -> estate.processes(ctx))
                    .get("/api/v1/search", (ctx, req) -> estate.search(ctx))
                    .get("/api/v1/scrapes", (ctx, req) -> hostsApi.scrapes(ctx))
                    .get("/api/v1/hosts", (ctx, req) -> hostsApi.hosts(ctx))
                    .get("/api/v1/hosts/{host}", (ctx, req) -> hostsApi.host(ctx, ctx.pathParam("host")))
                    .get("/api/v1/footprints", (ctx, req) -> footprints.footprints(ctx))
                    .get("/api/v1/alignment/{service}", (ctx, req) -> alignment.alignment(ctx, ctx.pathParam("service")));
            // Compressed bodies are limited here; the decompressed size is limited by IngestService.
            ServerBuilder builder = Server.builder()
                    .http(new InetSocketAddress(options.bindAddress(), options.port()))
                    .maxRequestLength(options.maxBodyBytes())
                    .requestTimeout(Duration.ofSeconds(60))
                    .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(30))
                    // The acceptor thread has nothing to finish; Netty's default 2 s quiet period only delays exit.
                    .bossGroupFactory(name -> com.linecorp.armeria.common.util.EventLoopGroups.builder()
                            .numThreads(1).gracefulShutdown(Duration.ZERO, Duration.ofSeconds(1)).build())
                    .errorHandler(new JsonErrors(options.maxBodyBytes()))
                    .disableServerHeader()
                    .decorator(guard)
                    .service("/ingest/events", ingest)
                    .service("/v1/traces", otlpTraces)
                    .service("/v1/metrics", otlpMetrics);
            Server server = routes.into(builder)
                    .route().methods(HttpMethod.GET, HttpMethod.HEAD).path("/").build(Dashboard.index())
                    .serviceUnder("/ui/vendor/echarts/", Dashboard.echarts(notFound))
                    .serviceUnder("/ui/", Dashboard.files(notFound))
                    .route().methods(HttpMethod.GET, HttpMethod.HEAD).path("/health").build(health)
                    .route().methods(HttpMethod.GET, HttpMethod.HEAD).path("/ready").build(ready)
                    .serviceUnder("/", routes.fallback())
                    .build();
            Server grpc = null;
            Server otlpHttp = null;
            try {
                startOrExplain(server, options.bindAddress(), options.port(), "--port");
                if (options.otlp().grpc() != ServerOptions.OtlpPorts.OFF) {
                    grpc = otlpServer(options, options.otlp().grpc(), guard, "OTLP/gRPC (" + OtlpGrpcService.TRACES + ", "
                            + OtlpGrpcService.METRICS + ")", server.activeLocalPort(), true)
                            .service(OtlpGrpcService.TRACES, new OtlpGrpcService(traces, options.maxBodyBytes()))
                            .service(OtlpGrpcService.METRICS, new OtlpGrpcService(metrics, options.maxBodyBytes())).build();
                    startOrExplain(grpc, options.bindAddress(), options.otlp().grpc(), "--otlp-grpc-port");
                }
                if (options.otlp().http() != ServerOptions.OtlpPorts.OFF) {
                    otlpHttp = otlpServer(options, options.otlp().http(), guard, "OTLP/HTTP (POST /v1/traces, /v1/metrics)",
                            server.activeLocalPort(), false)
                            .service("/v1/traces", otlpTraces).service("/v1/metrics", otlpMetrics).build();
                    startOrExplain(otlpHttp, options.bindAddress(), options.otlp().http(), "--otlp-http-port");
                }
            } catch (RuntimeException e) {
                for (Server started : new Server[] {server, grpc, otlpHttp}) {
                    if (started != null) {
                        started.stop().join();
                    }
                }
                throw e;
            }
            return new VigilServer(server, grpc, otlpHttp, scraper[0], journal, pipeline, objectives, stopping, forwarder, demo);
        } catch (RuntimeException e) {
            if (scraper[0] != null) {
                scraper[0].close();
            }
            journal.close();
            throw e;
        }
    }

    public int port() {
        return server.activeLocalPort();
    }

    /** The scrapes of vigil.yaml's targets, and the hosts they describe. */
    public dev.vigil.server.scrape.Scraper scraper() {
        return scraper;
    }

    /** The OTLP/gRPC port, or -1 when off. */
    public int otlpGrpcPort() {
        return otlpGrpc == null ? -1 : otlpGrpc.activeLocalPort();
    }

    /** The OTLP/HTTP alias port, or -1 when off (OTLP/HTTP is on {@link #port()} as well). */
    public int otlpHttpPort() {
        return otlpHttp == null ? -1 : otlpHttp.activeLocalPort();
    }

    /**
     * A server of OTLP's own on {@code port}: the same limits as the main one. The OTLP/HTTP alias has its Host guard
     * too; the gRPC port has none, and answers gRPC calls in gRPC's terms: a browser (what the guard is against, DNS
     * rebinding) cannot make a gRPC call without a CORS preflight Vigil never grants, while a Collector or an SDK on
     * another machine names Vigil as it knows it (VIGIL:4317) and would be refused with an HTTP status it cannot read.
     */
    private static com.linecorp.armeria.server.ServerBuilder otlpServer(ServerOptions options, int port, HostGuard guard,
                                                                        String serves, int apiPort, boolean grpc) {
        HttpService notFound = (ctx, req) -> OtlpGrpcService.notServed(req, () -> Json.error(HttpStatus.NOT_FOUND,
                "not_found", "this port serves " + serves + " only; the API (and OTLP/HTTP's /v1/traces) is on port "
                        + apiPort, null));
        com.linecorp.armeria.server.ServerBuilder b = Server.builder()
                // a registry of its own: the main server's already names the shared executors' meters
                .meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry())
                .http(new InetSocketAddress(options.bindAddress(), port))
                .maxRequestLength(options.maxBodyBytes())
                .requestTimeout(Duration.ofSeconds(60))
                .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(30))
                .errorHandler(new JsonErrors(options.maxBodyBytes()))
                .disableServerHeader()
                .serviceUnder("/", notFound);
        return grpc ? b : b.decorator(guard);
    }

    /** Starts a server, or says in words why it cannot listen and which flag to change. */
    private static void startOrExplain(Server server, String bindAddress, int port, String flag) {
        try {
            server.start().join();
        } catch (java.util.concurrent.CompletionException e) {
            String why = String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            if (why.contains("Address already in use")) {
                throw new IllegalStateException("port " + port + " on " + bindAddress
                        + " is already in use: stop what listens there or choose another " + flag, e);
            }
            if (why.contains("unresolved") || why.contains("Cannot assign requested address")) {
                throw new IllegalStateException("cannot listen on " + bindAddress + ": it is not an "
                        + "address of this machine; use --bind 127.0.0.1 (this machine only), 0.0.0.0 (every "
                        + "interface) or one of its own addresses", e);
            }
            throw new IllegalStateException("cannot listen on " + bindAddress + ":" + port + ": " + why, e);
        }
    }

    public EventStore journal() {
        return journal;
    }

    /** The pipeline the API reads: this server's own, or the Flink job's outputs (--outputs-from). */
    public PipelineView pipeline() {
        return pipeline;
    }

    /** What forwards the journal to Kafka (--forward-journal), or null. */
    public JournalForwarder forwarder() {
        return forwarder;
    }

    /** Stops taking requests, finishes in-flight ones, commits what is queued and closes the store. */
    @Override
    public void close() {
        stopping.set(true);
        try {
            // together: each stop waits about two seconds for its quiet boss event loop
            java.util.List<java.util.concurrent.CompletableFuture<Void>> stops = new java.util.ArrayList<>();
            for (Server s : new Server[] {server, otlpGrpc, otlpHttp}) {
                if (s != null) {
                    stops.add(s.stop());
                }
            }
            java.util.concurrent.CompletableFuture.allOf(stops.toArray(java.util.concurrent.CompletableFuture[]::new)).join();
            scraper.close();
            objectives.close();
            if (forwarder != null) {
                forwarder.closeAfterCatchingUp(Duration.ofSeconds(10));
            }
        } finally {
            try {
                journal.close();
            } catch (SQLException e) {
                LOG.error("closing the store failed", e);
            }
        }
    }

    /** Every error Armeria itself produces (413, 404 of a wrong method, timeouts) in Vigil's JSON error shape. */
    private record JsonErrors(long maxBodyBytes) implements ServerErrorHandler {
        @Override
        public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
            if (cause instanceof ContentTooLargeException) {
                // OTLP's service answers this itself, in OTLP's shape (OtlpHttpService#serve)
                return Json.error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large", tooLarge(), null);
            }
            return null;
        }

        @Override
        public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config, RequestHeaders headers,
                                                   HttpStatus status, String description, Throwable cause) {
            String detail;
            String error;
            if (status == HttpStatus.REQUEST_ENTITY_TOO_LARGE && isOtlp(headers.path())) {
                // OTLP clients read a google.rpc.Status in their own encoding, not Vigil's error shape.
                return OtlpHttpService.tooLarge(headers.contentType(), maxBodyBytes);
            }
            if (status == HttpStatus.REQUEST_ENTITY_TOO_LARGE) {
                error = "body_too_large";
                detail = tooLarge();
            } else {
                error = status.reasonPhrase().toLowerCase(java.util.Locale.ROOT).replace(' ', '_');
                detail = description != null ? description
                        : cause != null && cause.getMessage() != null ? cause.getMessage() : status.reasonPhrase();
            }
            return AggregatedHttpResponse.of(ResponseHeaders.of(status, com.linecorp.armeria.common.HttpHeaderNames.CONTENT_TYPE,
                    MediaType.JSON_UTF_8), HttpData.wrap(Json.errorBody(error, detail, null)));
        }

        private static boolean isOtlp(String path) {
            return path.startsWith("/v1/traces") || path.startsWith("/v1/metrics");
        }

        private String tooLarge() {
            return "the body is larger than " + maxBodyBytes + " bytes; send smaller batches or raise --max-body";
        }
    }
}
