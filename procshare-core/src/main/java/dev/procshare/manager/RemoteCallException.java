package dev.procshare.manager;

import dev.procshare.codec.AllowList;

/**
 * An exception thrown by the called object on the server whose class this side may not (or cannot)
 * deserialize, as Python's {@code RemoteError}: it carries the remote class name, message and stack trace
 * (as its own stack trace), and the same for the cause. Exceptions whose classes are allowed arrive as
 * themselves instead, with the server's stack trace.
 */
public class RemoteCallException extends ManagerException {
    private static final long serialVersionUID = 1L;

    private final String remoteClass;

    /** An exception of class {@code remoteClass} thrown in another process, with that process's stack trace. */
    public RemoteCallException(String remoteClass, String message, StackTraceElement[] trace, Throwable cause) {
        super(remoteClass + (message == null ? "" : ": " + message), cause);
        this.remoteClass = remoteClass;
        setStackTrace(trace);
    }

    /** The class of the exception on the server. */
    public String remoteClass() {
        return remoteClass;
    }

    /** {@code t} itself if every class in its chain is allowed, else a stand-in keeping its text and traces. */
    public static Throwable transportable(Throwable t, AllowList allowList) {
        if (isAllowed(t, allowList, 0)) {
            return t;
        }
        return copy(t, 0);
    }

    private static boolean isAllowed(Throwable t, AllowList allowList, int depth) {
        if (t == null) {
            return true;
        }
        if (depth > 16) {
            return false;
        }
        // every class of the hierarchy: the receiver reads each one's descriptor, and refuses any it does not
        // allow (ClassNotAllowedException itself extends java.io.InvalidClassException, which it refuses)
        for (Class<?> c = t.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            if (!allowList.allows(c)) {
                return false;
            }
        }
        for (Throwable s : t.getSuppressed()) {
            if (!isAllowed(s, allowList, depth + 1)) {
                return false;
            }
        }
        return isAllowed(t.getCause(), allowList, depth + 1);
    }

    private static Throwable copy(Throwable t, int depth) {
        if (t == null || depth > 16) {
            return null;
        }
        if (t instanceof RemoteCallException r) {
            return r;
        }
        return new RemoteCallException(t.getClass().getName(), t.getMessage(), t.getStackTrace(),
                copy(t.getCause() == t ? null : t.getCause(), depth + 1));
    }
}
