package dev.procshare.process;

import java.io.Serializable;
import java.util.Map;

/** What parent and child say to each other on the private channel. */
final class Messages {
    private Messages() {
    }

    /**
     * The first line a child reads on standard input: where to connect and the one-time token that proves
     * it is the child this parent started. Standard input is private to the two processes, unlike argv.
     */
    record Launch(String socketPath, String token, long parentPid, boolean watchParent, byte[] initializer,
                  Map<String, byte[]> context) implements Serializable {
    }

    /** Child to parent, first frame: the token from {@link Launch}. */
    record Hello(String token, long pid) implements Serializable {
    }

    /** Parent to child: run this. {@code single}: exit after it (a {@link JvmProcess}); else a pool worker. */
    record Job(long id, byte[] task, String name, boolean daemon, boolean single) implements Serializable {
    }

    /** Child to parent: the job's result, or the exception it threw (with the child's stack trace). */
    record Outcome(long id, Object value, Throwable error) implements Serializable {
    }

    /** Parent to child: exit now (a recycled pool worker, an idle warm JVM no longer needed). */
    record Stop() implements Serializable {
    }

    /** The task of a pool chunk: apply {@code function} to each item, in order. */
    record Chunk(SerializableFunction<Object, Object> function, java.util.List<Object> items) implements Serializable {
    }
}
