package dev.procshare.process;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The parent's side of one child JVM: its process, the pipe it watches and the private channel. */
final class ChildConnection {
    final Process process;
    /** Null for a one-shot child, which reports through {@link #outcomeFile} instead. */
    final FrameChannel channel;
    final Path outcomeFile;
    /** The child's standard input, which carried its launch line; closed with the channel. */
    private final OutputStream lifeline;

    ChildConnection(Process process, SocketChannel channel, OutputStream lifeline, Path outcomeFile)
            throws IOException {
        this.process = process;
        this.channel = channel == null ? null : new FrameChannel(channel);
        this.lifeline = lifeline;
        this.outcomeFile = outcomeFile;
    }

    long pid() {
        return process.pid();
    }

    void send(Messages.Job job) throws IOException {
        channel.write(job.encode());
    }

    /** The child's next frame; {@link java.io.EOFException} if it died or closed the channel. */
    byte[] receiveFrame() throws IOException {
        return channel.read(Frames.MAX_FRAME, 0);
    }

    /** Like {@link #receiveFrame()}, spinning up to {@code spinNanos} first (the caller waits on nothing else). */
    byte[] receiveFrame(long spinNanos) throws IOException {
        return channel.read(Frames.MAX_FRAME, spinNanos);
    }

    /** The exit code once the process has ended, waiting up to {@code millis}; -1 if it has not ended. */
    int exitCode(long millis) {
        try {
            if (process.waitFor(millis, TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    /** Closes the channel and the lifeline; the process is left to finish or be killed by the caller. */
    void close() {
        try {
            if (channel != null) {
                channel.close();
            }
            if (outcomeFile != null) {
                Files.deleteIfExists(outcomeFile);
            }
        } catch (IOException ignored) {
            // already closed
        }
        try {
            lifeline.close();
        } catch (IOException ignored) {
            // child already gone
        }
    }

    void kill() {
        process.toHandle().destroyForcibly();
        close();
    }
}
