package dev.vigil.app.batch;

/** Whether standard error is a terminal: a redrawn progress bar there, plain lines elsewhere. */
final class Terminal {

    private Terminal() {
    }

    static boolean isTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        // From Java 22 System.console() exists even when redirected, and says so through isTerminal(); Java 21,
        // our minimum, has no such method but returns null when redirected. Ask only where the method exists.
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
