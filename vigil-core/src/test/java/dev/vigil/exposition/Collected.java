package dev.vigil.exposition;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a parse handed out, as values: samples as lines, errors, types, help texts. */
final class Collected implements ExpositionSink {

    /** A sample copied out of the parser's view. */
    record Point(String family, MetricType type, String name, Map<String, String> labels, double value, long timestamp) {
        /** The series' identity: name and labels, sorted. */
        String series() {
            return name + new TreeMap<>(labels);
        }
    }

    final List<Point> samples = new ArrayList<>();
    final List<ParseError> errors = new ArrayList<>();
    final Map<String, MetricType> types = new java.util.LinkedHashMap<>();
    final Map<String, String> help = new java.util.LinkedHashMap<>();
    final Map<String, String> units = new java.util.LinkedHashMap<>();

    static Collected parse(ExpositionParser.Format format, String text) {
        Collected c = new Collected();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        new ExpositionParser(format).parse(bytes, 0, bytes.length, c);
        return c;
    }

    @Override
    public void sample(Sample s) {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        for (int i = 0; i < s.labelCount(); i++) {
            labels.put(s.labelName(i), s.labelValue(i));
        }
        samples.add(new Point(s.family(), s.type(), s.name(), labels, s.value(), s.timestampMillis()));
    }

    @Override
    public void error(ParseError error) {
        errors.add(error);
    }

    @Override
    public void type(String family, MetricType type) {
        types.put(family, type);
    }

    @Override
    public void help(String family, String text) {
        help.put(family, text);
    }

    @Override
    public void unit(String family, String unit) {
        units.put(family, unit);
    }

    List<String> lines() {
        return samples.stream().map(p -> p.series() + " " + p.value() + (p.timestamp() == Sample.NO_TIMESTAMP ? "" : " @" + p.timestamp())).toList();
    }
}
