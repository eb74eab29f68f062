package dev.procshare.process;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/** What parent and child say to each other on the private channel. */
final class Messages {
    private Messages() {
    }

    /**
     * What a child reads first, on standard input (private to the two processes, unlike argv): where to
     * connect and the one-time token that proves it is the child this parent started, or, for a one-shot
     * child, its job and the file for its outcome (no socket then: it starts faster). Plain binary, not Java
     * serialization, so that a child reads it before loading the serialization machinery.
     */
    record Launch(long parentPid, long pid, boolean watchParent, String socketPath, String token,
                  byte[] initializer, Map<String, byte[]> context, Job job, String outcomeFile) {

        void writeTo(DataOutputStream out) throws IOException {
            out.writeLong(parentPid);
            out.writeLong(pid);
            out.writeBoolean(watchParent);
            writeString(out, socketPath);
            writeString(out, token);
            writeBytes(out, initializer);
            out.writeInt(context.size());
            for (Map.Entry<String, byte[]> e : context.entrySet()) {
                out.writeUTF(e.getKey());
                writeBytes(out, e.getValue());
            }
            out.writeBoolean(job != null);
            if (job != null) {
                out.writeLong(job.id());
                out.writeUTF(job.name());
                out.writeBoolean(job.daemon());
                out.writeBoolean(job.single());
                writeBytes(out, job.task());
            }
            writeString(out, outcomeFile);
        }

        static Launch readFrom(DataInputStream in) throws IOException {
            long parentPid = in.readLong();
            long pid = in.readLong();
            boolean watch = in.readBoolean();
            String socket = readString(in);
            String token = readString(in);
            byte[] initializer = readBytes(in);
            int entries = in.readInt();
            Map<String, byte[]> context = new HashMap<>();
            for (int i = 0; i < entries; i++) {
                context.put(in.readUTF(), readBytes(in));
            }
            Job job = null;
            if (in.readBoolean()) {
                job = new Job(in.readLong(), null, in.readUTF(), in.readBoolean(), in.readBoolean());
                job = new Job(job.id(), readBytes(in), job.name(), job.daemon(), job.single());
            }
            return new Launch(parentPid, pid, watch, socket, token, initializer, context, job, readString(in));
        }

        private static void writeString(DataOutputStream out, String s) throws IOException {
            out.writeBoolean(s != null);
            if (s != null) {
                out.writeUTF(s);
            }
        }

        private static String readString(DataInputStream in) throws IOException {
            return in.readBoolean() ? in.readUTF() : null;
        }

        private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
            out.writeInt(b == null ? -1 : b.length);
            if (b != null) {
                out.write(b);
            }
        }

        private static byte[] readBytes(DataInputStream in) throws IOException {
            int n = in.readInt();
            if (n < 0) {
                return null;
            }
            if (n > Frames.MAX_FRAME) {
                throw new IOException("launch field of " + n + " bytes");
            }
            byte[] b = new byte[n];
            in.readFully(b);
            return b;
        }
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
