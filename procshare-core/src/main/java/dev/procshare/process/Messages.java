package dev.procshare.process;

import dev.procshare.codec.FastCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
            writeBytes(out, job == null ? null : job.encode());
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
            byte[] jobBytes = readBytes(in);
            Job job = jobBytes == null ? null : Job.decode(jobBytes);
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

    /** Kinds of {@link Job}. */
    static final byte TASK = 0;
    static final byte CHUNK = 1;
    static final byte STOP = 2;
    /** {@code fn}: the UTF-8 name of a {@link ProcessEntry} class; {@code payload}: its input bytes. */
    static final byte ENTRY = 3;

    /**
     * Parent to child. {@link #TASK}: {@code payload} is a Java-serialized Runnable or Callable.
     * {@link #CHUNK}: apply the function {@code fn} (Java-serialized, cached by the worker under {@code fnId})
     * to each item of {@code payload} (a {@link FastCodec} list). {@link #STOP}: exit. {@code single}: exit
     * after this job (a {@link JvmProcess}); else a pool worker waits for the next one.
     */
    record Job(long id, String name, boolean daemon, boolean single, byte kind, long fnId, byte[] fn,
               byte[] payload, int spinMicros) {

        /** {@code spinMicros}: how long the worker should spin for its next job after answering this one. */
        Job(long id, String name, boolean daemon, boolean single, byte kind, long fnId, byte[] fn, byte[] payload) {
            this(id, name, daemon, single, kind, fnId, fn, payload, 0);
        }

        static Job task(long id, String name, boolean daemon, boolean single, byte[] task) {
            return new Job(id, name, daemon, single, TASK, 0, null, task);
        }

        static Job entry(long id, String name, boolean daemon, String className, byte[] input) {
            return new Job(id, name, daemon, true, ENTRY, 0,
                    className.getBytes(java.nio.charset.StandardCharsets.UTF_8), input);
        }

        static Job stop() {
            return new Job(0, "", false, false, STOP, 0, null, new byte[0]);
        }

        byte[] encode() {
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            int fnLength = fn == null ? 0 : fn.length;
            ByteBuffer b = ByteBuffer.allocate(8 + 4 + nameBytes.length + 3 + 8 + 4 + fnLength + 4 + payload.length + 4);
            b.putLong(id).putInt(nameBytes.length).put(nameBytes).put((byte) (daemon ? 1 : 0))
                    .put((byte) (single ? 1 : 0)).put(kind).putLong(fnId).putInt(fn == null ? -1 : fn.length);
            if (fn != null) {
                b.put(fn);
            }
            b.putInt(payload.length).put(payload).putInt(spinMicros);
            return b.array();
        }

        static Job decode(byte[] bytes) throws IOException {
            try {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                long id = b.getLong();
                String name = new String(take(b, b.getInt()), StandardCharsets.UTF_8);
                boolean daemon = b.get() != 0;
                boolean single = b.get() != 0;
                byte kind = b.get();
                long fnId = b.getLong();
                int fnLength = b.getInt();
                byte[] fn = fnLength < 0 ? null : take(b, fnLength);
                byte[] payload = take(b, b.getInt());
                return new Job(id, name, daemon, single, kind, fnId, fn, payload, b.getInt());
            } catch (RuntimeException e) {
                throw new StreamCorruptedException("malformed job frame: " + e);
            }
        }
    }

    /** Outcome statuses. */
    static final byte OK = 0;
    static final byte FAILED = 1;
    static final byte INIT_FAILED = 2;

    /** Child to parent: the job's result ({@link FastCodec}), or the exception it threw, with its stack trace. */
    record Outcome(long id, byte status, Object value, Throwable error) {

        static Outcome ok(long id, Object value) {
            return new Outcome(id, OK, value, null);
        }

        static Outcome failed(long id, byte status, Throwable error) {
            return new Outcome(id, status, null, error);
        }

        /** @throws java.io.NotSerializableException if the value cannot travel */
        byte[] encode() throws IOException {
            byte[] body = status == OK ? FastCodec.INSTANCE.encode(value) : TaskCodec.encode(error);
            return ByteBuffer.allocate(9 + body.length).putLong(id).put(status).put(body).array();
        }

        static Outcome decode(byte[] bytes) throws IOException, ClassNotFoundException {
            if (bytes.length < 9) {
                throw new StreamCorruptedException("malformed outcome frame of " + bytes.length + " bytes");
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long id = b.getLong();
            byte status = b.get();
            byte[] body = Arrays.copyOfRange(bytes, 9, bytes.length);
            if (status == OK) {
                return ok(id, FastCodec.INSTANCE.decode(body));
            }
            return failed(id, status, (Throwable) TaskCodec.decode(body));
        }
    }

    private static byte[] take(ByteBuffer b, int n) {
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("field of " + n + " bytes, " + b.remaining() + " left");
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }
}
