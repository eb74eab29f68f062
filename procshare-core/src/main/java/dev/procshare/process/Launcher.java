package dev.procshare.process;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Starts a child JVM running {@link ChildMain} and waits until it has connected back. */
final class Launcher {
    /** How a child's standard output and error are handled. */
    enum OutputMode { INHERIT, FILE, CAPTURE }

    /** Everything about how to start one JVM; the defaults make a JVM a warm pool can stand in for. */
    record Spec(List<String> jvmOptions, String classpath, Map<String, String> environment, Path directory,
                OutputMode output, Path outputFile, boolean watchParent, byte[] initializer,
                Duration connectTimeout) {

        static Spec defaults() {
            return new Spec(List.of(), null, Map.of(), null, OutputMode.INHERIT, null, true, null,
                    Duration.ofSeconds(60));
        }

        boolean isDefault() {
            return jvmOptions.isEmpty() && classpath == null && environment.isEmpty() && directory == null
                    && output == OutputMode.INHERIT && watchParent && initializer == null;
        }
    }

    private Launcher() {
    }

    static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    static ChildConnection launch(Spec spec) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable().toString());
        command.addAll(spec.jvmOptions());
        command.add("-cp");
        command.add(spec.classpath() != null ? spec.classpath() : System.getProperty("java.class.path"));
        command.add(ChildMain.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(spec.environment());
        if (spec.directory() != null) {
            builder.directory(spec.directory().toFile());
        }
        switch (spec.output()) {
            case INHERIT -> builder.redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            case FILE -> {
                File file = spec.outputFile().toFile();
                builder.redirectOutput(ProcessBuilder.Redirect.appendTo(file)).redirectErrorStream(true);
            }
            case CAPTURE -> builder.redirectErrorStream(true);
        }
        ControlServer server = ControlServer.get();
        String token = server.newToken();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            server.forget(token);
            throw new IllegalStateException("cannot start a child JVM: " + command + ": " + e.getMessage(), e);
        }
        OutputStream lifeline = process.getOutputStream();
        try {
            Messages.Launch launch = new Messages.Launch(server.socket().toString(), token,
                    ProcessHandle.current().pid(), spec.watchParent(), spec.initializer(), InheritedContext.snapshot());
            lifeline.write(Base64.getEncoder().encode(TaskCodec.encode(launch)));
            lifeline.write('\n');
            lifeline.flush();
            SocketChannel channel = server.connection(token).get(spec.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return new ChildConnection(process, channel, lifeline);
        } catch (IOException | ExecutionException | TimeoutException e) {
            server.forget(token);
            process.destroyForcibly();
            int code = waitBriefly(process);
            throw new IllegalStateException("child JVM (pid " + process.pid() + ") did not connect back"
                    + (code >= 0 ? ": it exited with " + code + " (see its output for why)" : " within "
                    + spec.connectTimeout()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.forget(token);
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while starting a child JVM", e);
        }
    }

    private static int waitBriefly(Process process) {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
