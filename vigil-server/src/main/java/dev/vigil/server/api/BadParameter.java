package dev.vigil.server.api;

/** A query parameter the API cannot use; answered as 400 naming the parameter. */
final class BadParameter extends RuntimeException {
    final String parameter;

    BadParameter(String parameter, String detail) {
        super(detail, null, false, false);
        this.parameter = parameter;
    }
}
