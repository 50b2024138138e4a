package dev.vigil.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import dev.vigil.event.Event;
import dev.vigil.event.StoredEvent;
import dev.vigil.event.Timestamps;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** JSON responses, written with Jackson's streaming generator. */
public final class Json {

    static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private Json() {
    }

    /** Writes a body with a generator and wraps it in a response. */
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    public static HttpResponse response(HttpStatus status, Body body) {
        return HttpResponse.of(status, MediaType.JSON_UTF_8, bytes(body));
    }

    public static byte[] bytes(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The error shape of every endpoint: {"error": ..., "detail": ..., "at": ...}. */
    public static HttpResponse error(HttpStatus status, String error, String detail, String at) {
        return HttpResponse.of(status, MediaType.JSON_UTF_8, errorBody(error, detail, at));
    }

    /** The same error with extra headers (Allow, Retry-After); {@code headers} is completed with the content type. */
    public static HttpResponse error(ResponseHeadersBuilder headers, String error, String detail) {
        return HttpResponse.of(headers.contentType(MediaType.JSON_UTF_8).build(), HttpData.wrap(errorBody(error, detail, null)));
    }

    /** The body of an error, for callers that build the response themselves. */
    public static byte[] errorBody(String error, String detail, String at) {
        return bytes(g -> {
            g.writeStartObject();
            g.writeStringField("error", error);
            g.writeStringField("detail", detail);
            if (at != null) {
                g.writeStringField("at", at);
            }
            g.writeEndObject();
        });
    }

    /** An event in the same shape the ingest endpoint accepts, plus its sequence number. */
    public static void writeEvent(JsonGenerator g, StoredEvent stored) throws IOException {
        writeEvent(g, stored, null);
    }

    /**
     * An event as the API shows it.
     *
     * @param arrival {@code late} or {@code tooLate} when it came behind the watermark, else null (left out)
     */
    public static void writeEvent(JsonGenerator g, StoredEvent stored, String arrival) throws IOException {
        Event e = stored.event();
        g.writeStartObject();
        g.writeNumberField("seq", stored.seq());
        g.writeStringField("time", Timestamps.format(e.timeMicros()));
        g.writeStringField("source", e.source());
        g.writeStringField("name", e.name());
        g.writeStringField("kind", e.kind().wire());
        if (!e.correlation().isEmpty()) {
            g.writeObjectFieldStart("correlation");
            for (Map.Entry<String, String> k : e.correlation().entrySet()) {
                g.writeStringField(k.getKey(), k.getValue());
            }
            g.writeEndObject();
        }
        g.writeStringField("outcome", e.outcome().wire());
        if (e.durationMicros() != null) {
            g.writeNumberField("durationMs", e.durationMicros() / 1000.0);
        }
        if (e.peer() != null) {
            g.writeStringField("peer", e.peer());
        }
        if (e.unit() != null) {
            g.writeStringField("unit", e.unit());
        }
        if (!e.attributes().isEmpty()) {
            g.writeFieldName("attributes");
            MAPPER.writeValue(g, e.attributes());
        }
        if (arrival != null) {
            g.writeStringField("arrival", arrival);
        }
        g.writeEndObject();
    }
}
