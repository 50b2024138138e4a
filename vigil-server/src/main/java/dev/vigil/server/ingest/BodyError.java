package dev.vigil.server.ingest;

/**
 * The request body as a whole cannot be used: nothing in it is stored.
 *
 * @param status HTTP status to answer with
 * @param error  a short stable name of the problem
 * @param detail what is wrong and how to fix it
 * @param at     where in the body ("line 3, column 17"), or {@code null}
 */
public record BodyError(int status, String error, String detail, String at) {
}
