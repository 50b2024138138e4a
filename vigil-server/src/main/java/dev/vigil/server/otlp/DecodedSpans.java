package dev.vigil.server.otlp;

import dev.vigil.event.Rejection;
import java.util.List;

/**
 * A request's spans as read: those that could be read, and a rejection for each that could not (an id of
 * the wrong length, a time that is not a number). {@code total} counts both.
 */
record DecodedSpans(List<OtlpSpan> spans, List<Rejection> rejections, int total) {
}
