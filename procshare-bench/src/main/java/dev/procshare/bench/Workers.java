package dev.procshare.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Starts benchmark worker JVMs (same {@code java}, same classpath) and hands them shared handles over
 * standard input, the way a parent hands a child its arguments.
 */
final class Workers {
    private Workers() {
    }

    static Process start(String worker, List<?> handles, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), BenchMain.class.getName(), worker));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new ArrayList<>(handles));
        }
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(Base64.getEncoder().encode(bytes.toByteArray()));
            stdin.write('\n');
        }
        return process;
    }

    /** In a worker: the handles its parent sent. */
    static List<?> receive() throws IOException, ClassNotFoundException {
        byte[] line = readLine(System.in);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(line)))) {
            return (List<?>) in.readObject();
        }
    }

    /** Waits for a worker and returns its standard output; fails if it fails. */
    static String finish(Process process) throws IOException, InterruptedException {
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("worker " + process.pid() + " exited with " + process.exitValue()
                    + ": " + out);
        }
        return out;
    }

    private static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.write(c);
        }
        return line.toByteArray();
    }
}
