package dev.vigil.exposition;

import static dev.vigil.exposition.ExpositionParser.Format.OPENMETRICS;
import static dev.vigil.exposition.ExpositionParser.Format.PROMETHEUS_TEXT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpositionParserTest {

    @Test
    void theTextFormatGivesSamplesWithTheirFamilyTypeLabelsAndTimestamps() {
        Collected c = Collected.parse(PROMETHEUS_TEXT, """
                # HELP http_requests_total The total number of HTTP requests.
                # TYPE http_requests_total counter
                http_requests_total{method="post",code="200"} 1027 1395066363000
                http_requests_total{method="post",code="400"}    3 1395066363000

                # A comment that is not HELP or TYPE.
                msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
                metric_without_timestamp_and_labels 12.47
                # HELP rpc_duration_seconds A summary of the RPC duration in seconds.
                # TYPE rpc_duration_seconds summary
                rpc_duration_seconds{quantile="0.5"} 4773
                rpc_duration_seconds_sum 1.7560473e+07
                rpc_duration_seconds_count 2693
                # TYPE http_request_duration_seconds histogram
                http_request_duration_seconds_bucket{le="0.05"} 24054
                http_request_duration_seconds_bucket{le="+Inf"} 144320
                http_request_duration_seconds_sum 53423
                http_request_duration_seconds_count 144320
                something_weird{problem="division by zero"} +Inf -3982045
                nan_gauge NaN
                """);
        assertThat(c.errors).isEmpty();
        assertThat(c.lines()).containsExactly(
                "http_requests_total{code=200, method=post} 1027.0 @1395066363000",
                "http_requests_total{code=400, method=post} 3.0 @1395066363000",
                "msdos_file_access_time_seconds{error=Cannot find file:\n\"FILE.TXT\", path=C:\\DIR\\FILE.TXT} 1.458255915E9",
                "metric_without_timestamp_and_labels{} 12.47",
                "rpc_duration_seconds{quantile=0.5} 4773.0",
                "rpc_duration_seconds_sum{} 1.7560473E7",
                "rpc_duration_seconds_count{} 2693.0",
                "http_request_duration_seconds_bucket{le=0.05} 24054.0",
                "http_request_duration_seconds_bucket{le=+Inf} 144320.0",
                "http_request_duration_seconds_sum{} 53423.0",
                "http_request_duration_seconds_count{} 144320.0",
                "something_weird{problem=division by zero} Infinity @-3982045",
                "nan_gauge{} NaN");
        assertThat(c.samples).extracting(Collected.Point::family).containsExactly("http_requests_total",
                "http_requests_total", "msdos_file_access_time_seconds", "metric_without_timestamp_and_labels",
                "rpc_duration_seconds", "rpc_duration_seconds", "rpc_duration_seconds", "http_request_duration_seconds",
                "http_request_duration_seconds", "http_request_duration_seconds", "http_request_duration_seconds",
                "something_weird", "nan_gauge");
        assertThat(c.samples.get(0).type()).isEqualTo(MetricType.COUNTER);
        assertThat(c.samples.get(6).type()).isEqualTo(MetricType.SUMMARY);
        assertThat(c.samples.get(8).type()).isEqualTo(MetricType.HISTOGRAM);
        assertThat(c.samples.get(3).type()).isEqualTo(MetricType.UNTYPED);
        assertThat(c.help).containsEntry("http_requests_total", "The total number of HTTP requests.");
    }

    @Test
    void aLineThatCannotBeReadIsNamedWithLineAndColumnAndCostsNothingElse() {
        Collected c = Collected.parse(PROMETHEUS_TEXT, """
                good_one 1
                bad{a="unterminated} 2
                good_two{a="x"} 2
                bad{a="x",a="y"} 3
                bad{a="x" b="y"} 3
                bad{1a="x"} 3
                bad 12abc
                bad 1 2 3
                bad{a="x\\q"} 1
                bad 1 17.5
                9bad 1
                bad
                # TYPE what_type gauges
                good_three 3
                """);
        assertThat(c.lines()).containsExactly("good_one{} 1.0", "good_two{a=x} 2.0", "good_three{} 3.0");
        assertThat(c.errors).extracting(ParseError::toString).containsExactly(
                "line 2, column 7: a quoted string is not closed: a '\"' is missing before the end of the line",
                "line 4, column 11: label a appears twice",
                "line 5, column 11: expected ',' or '}' after the value of label a, found \"b=\"y\"} 3\"",
                "line 6, column 5: expected a label name ([a-zA-Z_][a-zA-Z0-9_]*), found \"1a=\"x\"} 3\"",
                "line 7, column 5: not a number: \"12abc\"",
                "line 8, column 9: unexpected text after the timestamp: \"3\"",
                "line 9, column 9: unknown escape \\q: label values know \\\\, \\\" and \\n",
                "line 10, column 7: the timestamp must be milliseconds since the epoch (an integer), not \"17.5\"",
                "line 11, column 1: a sample starts with a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), not \"9bad 1\"",
                "line 12, column 4: the sample bad has no value",
                "line 13, column 18: unknown metric type \"gauges\" for what_type; use one of counter, gauge, histogram, "
                        + "summary, untyped");
    }

    @Test
    void openMetricsCountersExemplarsSecondsTimestampsUnitsAndTheClosingEof() {
        Collected c = Collected.parse(OPENMETRICS, """
                # TYPE acme_http_router_request_seconds summary
                # UNIT acme_http_router_request_seconds seconds
                # HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.
                acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32
                acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0
                acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0
                # TYPE go_goroutines gauge
                go_goroutines 69
                # TYPE process_cpu_seconds counter
                # UNIT process_cpu_seconds seconds
                process_cpu_seconds_total 4.20072246e+06 1605281325.5
                # TYPE foo histogram
                foo_bucket{le="0.01"} 0
                foo_bucket{le="+Inf"} 17 # {trace_id="oHg5SJYRHA0"} 9.8 1520879607.789
                foo_count 17
                # TYPE build info
                build_info{version="1.2"} 1
                # EOF
                """);
        assertThat(c.errors).isEmpty();
        assertThat(c.samples).extracting(Collected.Point::family).containsExactly(
                "acme_http_router_request_seconds", "acme_http_router_request_seconds", "acme_http_router_request_seconds",
                "go_goroutines", "process_cpu_seconds", "foo", "foo", "foo", "build");
        Collected.Point cpu = c.samples.get(4);
        assertThat(cpu.type()).isEqualTo(MetricType.COUNTER);
        assertThat(cpu.timestamp()).isEqualTo(1_605_281_325_500L);
        assertThat(c.samples.get(8).type()).isEqualTo(MetricType.INFO);
        assertThat(c.units).containsEntry("process_cpu_seconds", "seconds");
        assertThat(c.samples.get(6).value()).isEqualTo(17);
    }

    @Test
    void anOpenMetricsExpositionWithoutItsEofIsReadAndSaidToBeCutShort() {
        Collected c = Collected.parse(OPENMETRICS, "# TYPE a gauge\na 1\n");
        assertThat(c.lines()).containsExactly("a{} 1.0");
        assertThat(c.errors).extracting(ParseError::toString).containsExactly("line 3, column 1: no \"# EOF\" at the end: "
                + "an OpenMetrics exposition ends with it, so this one may be cut short");
        Collected after = Collected.parse(OPENMETRICS, "a 1\n# EOF\nb 2\n");
        assertThat(after.lines()).containsExactly("a{} 1.0");
        assertThat(after.errors).extracting(ParseError::toString)
                .containsExactly("line 3, column 1: text after \"# EOF\", which ends an OpenMetrics exposition");
    }

    @Test
    void quotedUtf8NamesAndValuesAreRead() {
        Collected c = Collected.parse(PROMETHEUS_TEXT, """
                {"http.server.duration", "service.name"="café", le="0.5"} 3
                temperature{room="Küche ☕"} 21.5
                """);
        assertThat(c.errors).isEmpty();
        assertThat(c.samples.get(0).name()).isEqualTo("http.server.duration");
        assertThat(c.samples.get(0).labels()).isEqualTo(Map.of("service.name", "café", "le", "0.5"));
        assertThat(c.samples.get(1).labels()).containsEntry("room", "Küche ☕");
        Collected bad = Collected.parse(PROMETHEUS_TEXT, "t{room=\"\u0000\"} 1\n");
        assertThat(bad.samples).hasSize(1);
        byte[] latin1 = "t{room=\"K\u00fcche\"} 1\nu 2\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Collected notUtf8 = new Collected();
        new ExpositionParser(PROMETHEUS_TEXT).parse(latin1, 0, latin1.length, notUtf8);
        assertThat(notUtf8.lines()).containsExactly("u{} 2.0");
        assertThat(notUtf8.errors).extracting(ParseError::message).containsExactly("the text is not valid UTF-8");
    }

    @Test
    void valuesAreReadExactlyAsJavaReadsThemIncludingTheCasesThatNeedTheSlowPath() {
        String[] texts = {"0", "-0", "1", "-1", "0.1", "123.456", "1e3", "1E-3", "-2.5e+10", "9007199254740993",
                "123456789012345678", "1234567890123456789", "0.000000000000000000000001", "1e-300", "1.7976931348623157e308",
                "4.9e-324", "3.14159265358979323846", ".5", "5.", "+7", "1e22", "1e23", "0x1p3"};
        StringBuilder body = new StringBuilder();
        for (String t : texts) {
            body.append("v ").append(t).append('\n');
        }
        Collected c = Collected.parse(PROMETHEUS_TEXT, body.toString());
        assertThat(c.errors).isEmpty();
        for (int i = 0; i < texts.length; i++) {
            assertThat(c.samples.get(i).value()).as(texts[i]).isEqualTo(Double.parseDouble(texts[i]));
        }
        assertThat(Collected.parse(PROMETHEUS_TEXT, "a Inf\nb -Inf\nc +inf\nd nan\n").lines())
                .containsExactly("a{} Infinity", "b{} -Infinity", "c{} Infinity", "d{} NaN");
        assertThat(Collected.parse(PROMETHEUS_TEXT, "a 1d\nb 1_000\nc .\nd -\n").errors).hasSize(4);
    }
}
