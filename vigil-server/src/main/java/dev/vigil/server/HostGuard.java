package dev.vigil.server;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Answers only requests addressed to this server by name: a Host that is this machine's name, one of its
 * addresses, {@code localhost}, or a name the operator allowed. A web page on another site cannot then reach a
 * Vigil on the visitor's machine by pointing its own DNS name at 127.0.0.1 (DNS rebinding): its requests carry
 * that name, and get 421. Every response also carries the headers that keep the dashboard from being framed,
 * sniffed or fed inline script.
 */
final class HostGuard implements DecoratingHttpServiceFunction {

    /** No inline script anywhere; styles inline are allowed (the charts set them). */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final Set<String> names;
    private final Set<InetAddress> addresses;

    private HostGuard(Set<String> names, Set<InetAddress> addresses) {
        this.names = names;
        this.addresses = addresses;
    }

    /** The names and addresses of this machine, plus {@code allowed} (from --allow-host). */
    static HostGuard forThisMachine(String bindAddress, List<String> allowed) {
        Set<String> names = new HashSet<>(List.of("localhost", "localhost.localdomain"));
        for (String a : allowed) {
            names.add(a.toLowerCase(Locale.ROOT));
        }
        Set<InetAddress> addresses = new HashSet<>();
        try {
            InetAddress local = InetAddress.getLocalHost();
            names.add(local.getHostName().toLowerCase(Locale.ROOT));
            names.add(local.getCanonicalHostName().toLowerCase(Locale.ROOT));
            addresses.add(local);
        } catch (UnknownHostException e) {
            // a machine without a resolvable name: its addresses still count
        }
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                addresses.addAll(Collections.list(nic.getInetAddresses()));
            }
        } catch (SocketException e) {
            // no interface list: loopback and the bound address still count
        }
        if (bindAddress != null && !bindAddress.isBlank()) {
            names.add(bindAddress.toLowerCase(Locale.ROOT));
        }
        return new HostGuard(Set.copyOf(names), Set.copyOf(addresses));
    }

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        ctx.mutateAdditionalResponseHeaders(h -> h
                .set("x-content-type-options", "nosniff")
                .set("x-frame-options", "DENY")
                .set("referrer-policy", "no-referrer")
                .set("content-security-policy", CONTENT_SECURITY_POLICY));
        String authority = req.authority();
        if (authority == null || allows(hostOf(authority))) {
            return delegate.serve(ctx, req);
        }
        String host = hostOf(authority);
        return Json.error(HttpStatus.MISDIRECTED_REQUEST, "host_not_allowed", host.isEmpty()
                ? "the request names no host (an empty Host header); send this server's name or address"
                : "this server does not answer to the name '" + host + "' (a guard against DNS rebinding); use its "
                + "own name or address, or start it with --allow-host " + host, null);
    }

    boolean allows(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".") && !isAddressLiteral(h)) {
            h = h.substring(0, h.length() - 1); // "localhost." is the fully qualified form of the same name
        }
        if (names.contains(h)) {
            return true;
        }
        if (!isAddressLiteral(h)) {
            return false;
        }
        try {
            InetAddress a = InetAddress.getByName(h); // a literal: no lookup
            return a.isLoopbackAddress() || a.isAnyLocalAddress() || addresses.contains(a);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The host of an authority ("name:port", "[::1]:8080"), without port or brackets. */
    static String hostOf(String authority) {
        if (authority.startsWith("[")) {
            int end = authority.indexOf(']');
            return end < 0 ? authority : authority.substring(1, end);
        }
        int colon = authority.lastIndexOf(':');
        return colon < 0 || authority.indexOf(':') != colon ? authority : authority.substring(0, colon);
    }

    private static boolean isAddressLiteral(String h) {
        if (h.isEmpty()) {
            return false;
        }
        if (h.indexOf(':') >= 0) {
            return h.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '%');
        }
        return h.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.') && h.chars().filter(c -> c == '.').count() == 3;
    }
}
