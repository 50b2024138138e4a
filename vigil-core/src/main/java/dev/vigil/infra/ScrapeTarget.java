package dev.vigil.infra;

import java.util.Map;

/**
 * A Prometheus-style endpoint Vigil scrapes (vigil.yaml's {@code scrape.targets}).
 *
 * @param url            where the exposition is, e.g. {@code http://web-3:9100/metrics}
 * @param host           the host it describes: its readings are that host's (default: the URL's host name)
 * @param intervalMillis how often it is scraped
 * @param labels         labels the user adds to everything scraped from it
 */
public record ScrapeTarget(String url, String host, long intervalMillis, Map<String, String> labels) {

    public ScrapeTarget {
        labels = Map.copyOf(labels);
    }
}
