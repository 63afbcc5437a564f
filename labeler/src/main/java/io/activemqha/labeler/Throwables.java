package io.activemqha.labeler;

/** Helpers for turning failures into one-line log text. */
public final class Throwables {
    private Throwables() {
    }

    /** The innermost cause: the exception that says what actually went wrong on the wire. */
    public static Throwable rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** {@code SimpleName: first line of the message}. */
    public static String oneLine(Throwable t) {
        String message = t.getMessage();
        if (message != null) {
            int nl = message.indexOf('\n');
            message = nl < 0 ? message : message.substring(0, nl);
        }
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
