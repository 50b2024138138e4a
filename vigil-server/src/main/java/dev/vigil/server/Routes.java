package dev.vigil.server;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The API's routes as one table: the server is built from it, and the fallback reads it to tell a path nothing
 * serves (404) from a path served with other methods (405, with the methods in {@code Allow}). Every GET route
 * answers HEAD too, as HTTP asks.
 */
final class Routes {

    /** One route: a method and a path whose {@code {name}} segments match any one segment ({@code pattern}). */
    record Route(HttpMethod method, String path, HttpService service, Pattern pattern) {

        Route(HttpMethod method, String path, HttpService service) {
            this(method, path, service, Pattern.compile(Pattern.quote(path).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q")));
        }

        boolean matches(String requestPath) {
            return pattern.matcher(requestPath).matches();
        }
    }

    private final List<Route> routes = new ArrayList<>();

    Routes get(String path, HttpService service) {
        routes.add(new Route(HttpMethod.GET, path, service));
        return this;
    }

    Routes post(String path, HttpService service) {
        routes.add(new Route(HttpMethod.POST, path, service));
        return this;
    }

    Routes delete(String path, HttpService service) {
        routes.add(new Route(HttpMethod.DELETE, path, service));
        return this;
    }

    List<Route> all() {
        return List.copyOf(routes);
    }

    /** Adds every route to the server. */
    ServerBuilder into(ServerBuilder server) {
        for (Route r : routes) {
            Set<HttpMethod> methods = r.method() == HttpMethod.GET ? EnumSet.of(HttpMethod.GET, HttpMethod.HEAD) : EnumSet.of(r.method());
            server.route().methods(methods).path(r.path()).build(r.service());
        }
        return server;
    }

    /** The methods the table serves a path with (HEAD beside GET), in name order; empty when it does not serve it. */
    Set<String> allowed(String requestPath) {
        Set<String> out = new TreeSet<>();
        for (Route r : routes) {
            if (r.matches(requestPath)) {
                out.add(r.method().name());
                if (r.method() == HttpMethod.GET) {
                    out.add(HttpMethod.HEAD.name());
                }
            }
        }
        return out;
    }

    /**
     * What answers a request no route took: 405 naming the methods the path takes, or 404 pointing at the API's
     * documentation.
     */
    HttpService fallback() {
        return (ctx, req) -> {
            Set<String> allowed = allowed(ctx.path());
            if (allowed.isEmpty()) {
                return Json.error(HttpStatus.NOT_FOUND, "not_found",
                        "no endpoint " + req.method() + " " + ctx.path() + "; see docs/API.md", null);
            }
            String methods = allowed.stream().collect(Collectors.joining(", "));
            return Json.error(ResponseHeaders.builder(HttpStatus.METHOD_NOT_ALLOWED).set("allow", methods),
                    "method_not_allowed", ctx.path() + " takes " + methods + ", not " + req.method() + "; see docs/API.md");
        };
    }
}
