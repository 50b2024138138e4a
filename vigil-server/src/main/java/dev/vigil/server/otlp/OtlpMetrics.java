package dev.vigil.server.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OTLP metrics request as Vigil reads it: per resource, each metric's kind and its number points (gauges and
 * sums); histograms, exponential histograms and summaries are counted, not read (no host metric is one). Read from
 * protobuf (the generated classes: a metrics export is small beside a trace export) or from OTLP/JSON.
 */
record OtlpMetrics(List<Resource> resources, int total) {

    enum Kind { GAUGE, SUM, HISTOGRAM, EXPONENTIAL_HISTOGRAM, SUMMARY, EMPTY }

    /** A resource's attributes (text values; others as their text) and its metrics. */
    record Resource(Map<String, String> attributes, List<Series> metrics) {
    }

    /**
     * A metric's points.
     *
     * @param cumulative for a sum: whether its temporality is cumulative (counters are read as such)
     * @param count      how many data points it holds, of whatever kind
     */
    record Series(String name, Kind kind, boolean cumulative, List<Point> points, int count) {
    }

    /** A number point: its attributes, value and time. */
    record Point(Map<String, String> attributes, double value, long timeUnixNano) {
    }

    static OtlpMetrics decode(byte[] bytes, int length, boolean json) throws OtlpExport.Unreadable {
        return json ? fromJson(bytes, length) : fromProtobuf(bytes, length);
    }

    // --- protobuf --------------------------------------------------------------------------------------------

    private static OtlpMetrics fromProtobuf(byte[] bytes, int length) throws OtlpExport.Unreadable {
        ExportMetricsServiceRequest request;
        try {
            request = ExportMetricsServiceRequest.parseFrom(OtlpProtobuf.input(bytes, 0, length));
        } catch (IOException e) {
            throw new OtlpExport.Unreadable("not an OTLP ExportMetricsServiceRequest in protobuf: " + OtlpProtobuf.why(e).text()
                    + OtlpExport.jsonHint(bytes, length));
        }
        List<Resource> resources = new ArrayList<>();
        int total = 0;
        for (ResourceMetrics rm : request.getResourceMetricsList()) {
            List<Series> metrics = new ArrayList<>();
            for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                for (Metric m : sm.getMetricsList()) {
                    Series s = switch (m.getDataCase()) {
                        case GAUGE -> numbers(m.getName(), Kind.GAUGE, true, m.getGauge().getDataPointsList());
                        case SUM -> numbers(m.getName(), Kind.SUM, m.getSum().getAggregationTemporality()
                                == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, m.getSum().getDataPointsList());
                        case HISTOGRAM -> new Series(m.getName(), Kind.HISTOGRAM, false, List.of(),
                                m.getHistogram().getDataPointsCount());
                        case EXPONENTIAL_HISTOGRAM -> new Series(m.getName(), Kind.EXPONENTIAL_HISTOGRAM, false, List.of(),
                                m.getExponentialHistogram().getDataPointsCount());
                        case SUMMARY -> new Series(m.getName(), Kind.SUMMARY, false, List.of(), m.getSummary().getDataPointsCount());
                        default -> new Series(m.getName(), Kind.EMPTY, false, List.of(), 0);
                    };
                    total += s.count();
                    metrics.add(s);
                }
            }
            resources.add(new Resource(attributes(rm.getResource().getAttributesList()), metrics));
        }
        return new OtlpMetrics(resources, total);
    }

    private static Series numbers(String name, Kind kind, boolean cumulative, List<NumberDataPoint> points) {
        List<Point> out = new ArrayList<>(points.size());
        for (NumberDataPoint p : points) {
            double v = p.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? p.getAsInt() : p.getAsDouble();
            out.add(new Point(attributes(p.getAttributesList()), v, p.getTimeUnixNano()));
        }
        return new Series(name, kind, cumulative, out, out.size());
    }

    private static Map<String, String> attributes(List<KeyValue> kvs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (KeyValue kv : kvs) {
            AnyValue v = kv.getValue();
            String text = switch (v.getValueCase()) {
                case STRING_VALUE -> v.getStringValue();
                case INT_VALUE -> Long.toString(v.getIntValue());
                case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
                case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
                default -> null;
            };
            if (text != null) {
                out.put(kv.getKey(), text);
            }
        }
        return out;
    }

    // --- JSON ------------------------------------------------------------------------------------------------

    private static final ObjectMapper JSON = new ObjectMapper();

    private static OtlpMetrics fromJson(byte[] bytes, int length) throws OtlpExport.Unreadable {
        JsonNode root;
        try {
            root = JSON.readTree(bytes, 0, length);
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new OtlpExport.Unreadable("not an OTLP ExportMetricsServiceRequest in JSON: the body nests deeper "
                    + "than Vigil reads (" + dev.vigil.server.ingest.EventDecoder.clean(e.getOriginalMessage()) + ")");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new OtlpExport.Unreadable("not an OTLP ExportMetricsServiceRequest in JSON: "
                    + dev.vigil.server.ingest.EventDecoder.clean(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new OtlpExport.Unreadable("not an OTLP ExportMetricsServiceRequest in JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new OtlpExport.Unreadable("not an OTLP ExportMetricsServiceRequest in JSON: the body is not an object");
        }
        OtlpExport.refuseOtherSignal(root, "resourceMetrics", "/v1/metrics");
        List<Resource> resources = new ArrayList<>();
        int total = 0;
        for (JsonNode rm : array(root, "resourceMetrics", "resource_metrics")) {
            List<Series> metrics = new ArrayList<>();
            for (JsonNode sm : array(rm, "scopeMetrics", "scope_metrics")) {
                for (JsonNode m : array(sm, "metrics", "metrics")) {
                    Series s = series(m);
                    total += s.count();
                    metrics.add(s);
                }
            }
            JsonNode resource = rm.path("resource");
            if (!resource.isMissingNode() && !resource.isNull() && !resource.isObject()) {
                throw new OtlpExport.Unreadable("not an OTLP ExportMetricsServiceRequest in JSON: resource is "
                        + resource.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ", not an object");
            }
            resources.add(new Resource(jsonAttributes(resource), metrics));
        }
        return new OtlpMetrics(resources, total);
    }

    private static Series series(JsonNode m) throws OtlpExport.Unreadable {
        String name = m.path("name").asText("");
        if (m.has("gauge")) {
            return jsonNumbers(name, Kind.GAUGE, true, m.get("gauge"));
        }
        if (m.has("sum")) {
            JsonNode t = m.get("sum").path("aggregationTemporality");
            boolean cumulative = t.asInt(-1) == 2 || "AGGREGATION_TEMPORALITY_CUMULATIVE".equals(t.asText());
            return jsonNumbers(name, Kind.SUM, cumulative, m.get("sum"));
        }
        for (Kind k : new Kind[] {Kind.HISTOGRAM, Kind.EXPONENTIAL_HISTOGRAM, Kind.SUMMARY}) {
            String field = k == Kind.HISTOGRAM ? "histogram" : k == Kind.SUMMARY ? "summary" : "exponentialHistogram";
            if (m.has(field)) {
                return new Series(name, k, false, List.of(), array(m.get(field), "dataPoints", "data_points").size());
            }
        }
        return new Series(name, Kind.EMPTY, false, List.of(), 0);
    }

    private static Series jsonNumbers(String name, Kind kind, boolean cumulative, JsonNode data) throws OtlpExport.Unreadable {
        List<Point> out = new ArrayList<>();
        for (JsonNode p : array(data, "dataPoints", "data_points")) {
            JsonNode v = p.has("asDouble") ? p.get("asDouble") : p.has("asInt") ? p.get("asInt") : p.get("as_double");
            if (v == null) {
                v = p.get("as_int");
            }
            double value;
            if (v == null) {
                value = 0; // proto3 JSON leaves a zero out
            } else if (v.isNumber()) {
                value = v.asDouble();
            } else {
                try {
                    value = Double.parseDouble(v.asText());
                } catch (NumberFormatException e) {
                    throw new OtlpExport.Unreadable("not an OTLP ExportMetricsServiceRequest in JSON: metric " + name
                            + " has a point whose value is " + v + ", not a number");
                }
            }
            JsonNode t = p.has("timeUnixNano") ? p.get("timeUnixNano") : p.path("time_unix_nano");
            long time;
            try {
                time = t.isNumber() ? t.asLong() : t.isMissingNode() ? 0 : Long.parseLong(t.asText());
            } catch (NumberFormatException e) {
                throw new OtlpExport.Unreadable("not an OTLP ExportMetricsServiceRequest in JSON: metric " + name
                        + " has a point whose timeUnixNano is " + t + ", not a whole number");
            }
            out.add(new Point(jsonAttributes(p), value, time));
        }
        return new Series(name, kind, cumulative, out, out.size());
    }

    private static List<JsonNode> array(JsonNode parent, String name, String alias) throws OtlpExport.Unreadable {
        JsonNode a = parent.has(name) ? parent.get(name) : parent.get(alias);
        if (a == null || a.isNull()) {
            return List.of();
        }
        if (!a.isArray()) {
            throw new OtlpExport.Unreadable("not an OTLP ExportMetricsServiceRequest in JSON: " + name + " is not an array");
        }
        List<JsonNode> out = new ArrayList<>(a.size());
        for (JsonNode item : a) {
            // Every list of OTLP's request holds messages: anything else is no request (answering 200 would drop it)
            if (!item.isObject()) {
                throw new OtlpExport.Unreadable("not an OTLP ExportMetricsServiceRequest in JSON: " + name + "["
                        + out.size() + "] is " + item.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                        + ", not an object");
            }
            out.add(item);
        }
        return out;
    }

    private static Map<String, String> jsonAttributes(JsonNode owner) throws OtlpExport.Unreadable {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode kv : array(owner, "attributes", "attributes")) {
            JsonNode v = kv.path("value");
            for (String f : new String[] {"stringValue", "intValue", "doubleValue", "boolValue", "string_value",
                    "int_value", "double_value", "bool_value"}) {
                if (v.has(f)) {
                    out.put(kv.path("key").asText(), v.get(f).asText());
                    break;
                }
            }
        }
        return out;
    }
}
