package dev.vigil.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.vigil.event.Timestamps;
import dev.vigil.server.DemoControl;
import dev.vigil.server.Json;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code /api/v1/demo}: the demo's incidents, for the dashboard's demo bar. Answers 404 on a server that is not a
 * demo, so the dashboard shows no such bar there.
 */
public final class DemoApi {

    private final AtomicReference<DemoControl> demo;

    public DemoApi(AtomicReference<DemoControl> demo) {
        this.demo = demo;
    }

    /** {@code GET /api/v1/demo}: the incidents the demo can play, those running, and those scheduled next. */
    public HttpResponse demo(ServiceRequestContext ctx) {
        DemoControl d = demo.get();
        if (d == null) {
            return notADemo();
        }
        return Json.response(HttpStatus.OK, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("incidents");
            for (DemoControl.Playable s : d.scenarios()) {
                g.writeStartObject();
                g.writeStringField("name", s.name());
                g.writeStringField("description", s.description());
                g.writeEndObject();
            }
            g.writeEndArray();
            played(g, "running", "until", d.running());
            played(g, "upcoming", "at", d.upcoming());
            g.writeEndObject();
        });
    }

    /** {@code POST /api/v1/demo/incidents} {"incident": NAME}: starts it now; 202 with when it ends. */
    public HttpResponse inject(ServiceRequestContext ctx, HttpRequest req) {
        DemoControl d = demo.get();
        if (d == null) {
            return notADemo();
        }
        return JsonChange.handle(ctx, req, java.util.Set.of("incident"), body -> {
            String name = JsonChange.text(body, "incident", true);
            DemoControl.Played p;
            try {
                p = d.inject(name);
            } catch (DemoControl.UnknownScenario e) {
                throw new BadParameter("incident", e.getMessage());
            }
            return Json.response(HttpStatus.ACCEPTED, g -> {
                g.writeStartObject();
                g.writeStringField("incident", p.name());
                g.writeStringField("until", Timestamps.format(Timestamps.toMicros(p.at())));
                g.writeEndObject();
            });
        });
    }

    private static void played(JsonGenerator g, String field, String when, List<DemoControl.Played> list) throws IOException {
        g.writeArrayFieldStart(field);
        for (DemoControl.Played p : list) {
            g.writeStartObject();
            g.writeStringField("name", p.name());
            g.writeStringField(when, Timestamps.format(Timestamps.toMicros(p.at())));
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static HttpResponse notADemo() {
        return Json.error(HttpStatus.NOT_FOUND, "not_found", "this Vigil is not a demo (vigil demo serves /api/v1/demo)", null);
    }
}
