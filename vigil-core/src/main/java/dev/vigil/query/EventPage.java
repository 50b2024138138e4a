package dev.vigil.query;

import dev.vigil.event.StoredEvent;
import java.util.List;

/** One page of events, and the cursor of the next page or {@code null} when there is none. */
public record EventPage(List<StoredEvent> events, PageCursor next) {

    public EventPage {
        events = List.copyOf(events);
    }
}
