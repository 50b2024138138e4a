package dev.vigil.app.demo;

import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The incidents the demo replays on its schedule and on demand ({@code vigil demo --incident NAME}, or the
 * dashboard's demo bar): each the kind of trouble Vigil is for, and each visible on a page of its own.
 */
enum Scenario {
    CARRIER_OUTAGE("carrier-outage", Duration.ofMinutes(4),
            "ParcelCo's carrier API fails 40% of calls and answers 6 times slower for 4 minutes: its contract's page alert fires"),
    STUCK_ORDERS("stuck-orders", Duration.ofSeconds(20),
            Simulator.STUCK_WAVE + " orders stall once their stock is reserved: a wave of stuck order-to-cash cases"),
    SLOW_DATABASE("slow-database", Duration.ofMinutes(4),
            "the warehouse's database (stock-db) answers 15 times slower for 4 minutes: the order service's calls to the "
                    + "warehouse slow down, and the trace map shows where the time goes"),
    HOST_SATURATION("host-saturation", Duration.ofMinutes(4),
            "app-host-3, where the warehouse runs, saturates its CPUs for 4 minutes and the warehouse slows down with it");

    final String wire;
    final Duration lasts;
    final String description;

    Scenario(String wire, Duration lasts, String description) {
        this.wire = wire;
        this.lasts = lasts;
        this.description = description;
    }

    static Scenario named(String name) throws dev.vigil.server.DemoControl.UnknownScenario {
        for (Scenario s : values()) {
            if (s.wire.equals(name)) {
                return s;
            }
        }
        throw new dev.vigil.server.DemoControl.UnknownScenario("no incident \"" + name + "\"; the demo plays " + names());
    }

    static String names() {
        return Arrays.stream(values()).map(s -> s.wire).collect(Collectors.joining(", "));
    }
}
