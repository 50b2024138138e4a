package dev.vigil.app.demo;

import java.util.List;

/**
 * The simulated estate: three business units, twelve services, two external suppliers, and who calls whom.
 * Small, but shaped like a real one: a shop front fanning out to internal services, a back office calling
 * suppliers, one order-to-cash process crossing all three units.
 */
final class Estate {

    record Service(String name, String unit, double medianMs) {
    }

    record Call(String from, String operation, String to, boolean external, double medianMs) {
    }

    static final List<String> UNITS = List.of("retail", "wholesale", "logistics");

    static final List<Service> SERVICES = List.of(
            new Service("web-shop", "retail", 35),
            new Service("mobile-api", "retail", 30),
            new Service("catalog", "retail", 8),
            new Service("pricing", "retail", 6),
            new Service("b2b-portal", "wholesale", 60),
            new Service("order-service", "wholesale", 25),
            new Service("billing", "wholesale", 40),
            new Service("customer-master", "wholesale", 12),
            new Service("warehouse", "logistics", 45),
            new Service("shipping", "logistics", 50),
            new Service("tracking", "logistics", 15),
            new Service("returns", "logistics", 20));

    static final List<String> SUPPLIERS = List.of("tax-gateway", "carrier-api");

    /** Background calls, issued continuously besides the process. */
    static final List<Call> CALLS = List.of(
            new Call("web-shop", "GetProduct", "catalog", false, 8),
            new Call("web-shop", "GetPrice", "pricing", false, 6),
            new Call("mobile-api", "GetProduct", "catalog", false, 8),
            new Call("mobile-api", "TrackShipment", "tracking", false, 15),
            new Call("b2b-portal", "GetCustomer", "customer-master", false, 12),
            new Call("order-service", "GetCustomer", "customer-master", false, 12),
            new Call("order-service", "ReserveStock", "warehouse", false, 45),
            new Call("billing", "CalculateTax", "tax-gateway", true, 120),
            new Call("shipping", "BookCarrier", "carrier-api", true, 250),
            new Call("returns", "CreateReturnLabel", "carrier-api", true, 200),
            new Call("tracking", "PollCarrier", "carrier-api", true, 180));

    static String unitOf(String service) {
        for (Service s : SERVICES) {
            if (s.name().equals(service)) {
                return s.unit();
            }
        }
        return null;
    }

    private Estate() {
    }
}
