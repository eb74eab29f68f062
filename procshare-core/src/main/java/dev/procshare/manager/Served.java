package dev.procshare.manager;

import java.util.List;

/** An object the server hosts, called by operation name with decoded arguments. */
interface Served {
    /**
     * Runs {@code op}. Blocking operations wait in the thread that runs the call, through
     * {@link Caller#await} (which tells the server's dispatcher to poll on another thread), and end with
     * {@link InterruptedException} when the client cancels the call.
     */
    Object call(String op, List<Object> args, Caller caller) throws Exception;

    /** Whether this object must be told when a session ends (to release what the session held). */
    default void sessionEnded(Session session) {
    }

    /** A call's origin: the session (one client in one JVM), the thread in it, the connection it came on. */
    record Caller(Session session, long threadId, ServerConnection connection) {
        /** How long one wait lasts before the server checks that the client is still there. */
        static final long SLICE_NANOS = 100_000_000L;

        /** The owner identity for locks: a thread of a client. */
        Owner owner() {
            return new Owner(session, threadId);
        }

        /**
         * Waits on {@code monitor} (held by the caller) until notified or {@code deadline} ({@code System.nanoTime},
         * or {@link Long#MAX_VALUE} for none), in slices, so that a client that dies while the server waits for
         * it is noticed within a slice; returns false once the deadline has passed.
         *
         * @throws PeerGoneException if the client disconnected
         * @throws InterruptedException if the client cancelled the call
         */
        boolean await(Object monitor, long deadline) throws InterruptedException {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            long slice = Math.min(left, SLICE_NANOS);
            aboutToWait();
            monitor.wait(slice / 1_000_000, (int) (slice % 1_000_000));
            if (connection != null && connection.peerClosed()) {
                throw new PeerGoneException();
            }
            return true;
        }

        /** Tells the server's dispatcher that this call is about to wait, so that it polls on another thread. */
        void aboutToWait() {
            if (connection != null) {
                connection.aboutToWait();
            }
        }

        /** Runs {@code undo} if the reply to this call cannot be delivered (an item taken must not be lost). */
        void onReplyFailed(Runnable undo) {
            if (connection != null) {
                connection.onReplyFailed(undo);
            }
        }

        /** A deadline from a timeout in ns: negative means wait forever. */
        static long deadline(long timeoutNanos) {
            if (timeoutNanos < 0) {
                return Long.MAX_VALUE;
            }
            long now = System.nanoTime();
            return now + timeoutNanos < now ? Long.MAX_VALUE : now + timeoutNanos;
        }
    }

    /** A thread of a client, the holder of a lock or a permit. */
    record Owner(Session session, long threadId) {
    }

    static IllegalArgumentException unknown(String type, String op) {
        return new IllegalArgumentException(type + " has no operation '" + op + "'");
    }
}
