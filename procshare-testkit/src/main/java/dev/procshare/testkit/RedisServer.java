package dev.procshare.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} child process for tests, on a free loopback port, with a password, in its own
 * temporary directory. Independent of JUnit.
 *
 * <p>{@code try (RedisServer redis = RedisServer.start()) { redis.command("SET", "k", "v"); }}. Every wait is
 * bounded: start-up {@link #START_TIMEOUT}, one {@link #command} {@link #COMMAND_TIMEOUT}, an exit
 * {@link #EXIT_TIMEOUT}. {@link #close()} kills the server and deletes its directory; a shutdown hook kills
 * any server a crashed test forgot, and the first start in a JVM kills servers left by a JVM that died
 * without running its hooks.
 *
 * <p>The server's log is {@code dir().resolve("redis.log")}; its pid file {@code redis.pid} is there too.
 */
public final class RedisServer implements AutoCloseable {
    /** How long a start or restart waits for the server to answer {@code PING}. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    /** Connect and read timeout of one {@link #command} (and of {@code SHUTDOWN} in {@link #stop()}). */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** How long {@link #kill()}, {@link #stop()} and {@link #close()} wait for the process to exit. */
    public static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private static final String HOST = "127.0.0.1";
    private static final String LOG = "redis.log";
    private static final String CONSOLE = "console.log";
    private static final String PID_FILE = "redis.pid";
    /** Directory names carry the JVM's pid, so a later JVM can tell a dead run's leftovers from a live one's. */
    private static final String DIR_PREFIX = "procshare-redis-";
    private static final int BIND_ATTEMPTS = 3;
    private static final Set<RedisServer> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean ORPHANS_REAPED = new AtomicBoolean();
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(RedisServer::reapAtExit),
                "testkit-redis-reaper"));
    }

    private final Path executable;
    private final Path dir;
    private final String password;
    private final List<String> extraArgs;
    private final boolean appendOnly;
    private final boolean clusterEnabled;
    private final int port;
    private final int busPort;
    private volatile Process process;
    private volatile boolean paused;
    private volatile boolean closed;

    private RedisServer(Builder b, Path executable, Path dir, int port, int busPort) {
        this.executable = executable;
        this.dir = dir;
        this.password = b.password;
        this.extraArgs = List.copyOf(b.extraArgs);
        this.appendOnly = b.appendOnly;
        this.clusterEnabled = b.clusterEnabled;
        this.port = port;
        this.busPort = busPort;
    }

    /** Starts a server with the defaults (random password, no persistence, not clustered); see {@link Builder}. */
    public static RedisServer start() {
        return builder().start();
    }

    /** Options for a server; {@link Builder#start()} starts it. */
    public static Builder builder() {
        return new Builder();
    }

    /** Always {@code 127.0.0.1}: the server listens on loopback only. */
    public String host() {
        return HOST;
    }

    /** The client port; the same across {@link #restart()}. */
    public int port() {
        return port;
    }

    /** The cluster bus port ({@code --cluster-port}), which {@code CLUSTER MEET} needs as its third argument. */
    public int clusterBusPort() {
        if (!clusterEnabled) {
            throw new IllegalStateException("this redis-server is not cluster-enabled: it has no cluster bus port");
        }
        return busPort;
    }

    /** The password every client must give to {@code AUTH}. */
    public String password() {
        return password;
    }

    /** {@code redis://127.0.0.1:<port>} (without the password). */
    public String url() {
        return "redis://" + HOST + ":" + port;
    }

    /** The pid of the current {@code redis-server} process; changes on {@link #restart()}. */
    public long pid() {
        return process.pid();
    }

    /** Whether the current process is running (a paused one counts as running). */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Whether {@link #pause()} stopped the process and {@link #resume()} has not continued it yet. */
    public boolean isPaused() {
        return paused;
    }

    /** The server's own directory: data, append-only files, {@code nodes.conf}, log. Deleted by {@link #close()}. */
    public Path dir() {
        return dir;
    }

    /**
     * Sends one command on a fresh authenticated connection and returns the decoded reply: a simple or bulk
     * string as {@code String}, an integer as {@code Long}, an array as an unmodifiable {@code List} of
     * those, a nil as {@code null}. Waits at most {@link #COMMAND_TIMEOUT} for the connection and for each
     * read, so a paused server makes it fail instead of hang.
     *
     * @throws IllegalStateException with exactly Redis's error text (e.g. {@code MOVED 866 127.0.0.1:40123})
     *                               when the server answers with an error, here or inside an array
     * @throws UncheckedIOException  when the server cannot be reached or does not answer in time
     */
    public Object command(String... args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("a command needs at least its name");
        }
        try (Resp resp = new Resp(port, (int) COMMAND_TIMEOUT.toMillis())) {
            resp.call("AUTH", password);
            return resp.call(args);
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server " + HOST + ":" + port + " did not answer "
                    + args[0] + ": " + e.getMessage(), e);
        }
    }

    /**
     * SIGKILL, as a crash or the OOM killer would; returns once the process is gone.
     *
     * @throws IllegalStateException if it is still there after {@link #EXIT_TIMEOUT}
     */
    public synchronized void kill() {
        // SIGKILL ends a stopped process too, so a paused server needs no SIGCONT first.
        process.destroyForcibly();
        paused = false;
        if (!awaitExit(EXIT_TIMEOUT)) {
            throw new IllegalStateException("redis-server " + process.pid() + " survived SIGKILL for "
                    + EXIT_TIMEOUT.toSeconds() + " s");
        }
    }

    /**
     * A clean shutdown: {@code SHUTDOWN NOSAVE} (SIGTERM if that cannot be sent within {@link #COMMAND_TIMEOUT}),
     * then {@link #kill()} if the process has not exited within {@link #EXIT_TIMEOUT}. Acknowledged writes
     * survive when append-only is on.
     */
    public synchronized void stop() {
        if (!process.isAlive()) {
            return;
        }
        resume();
        try (Resp resp = new Resp(port, (int) COMMAND_TIMEOUT.toMillis())) {
            resp.call("AUTH", password);
            resp.write("SHUTDOWN", "NOSAVE");
            resp.awaitClose(); // no reply on success: the server closes the connection as it exits
        } catch (IOException | IllegalStateException e) {
            process.destroy();
        }
        if (!awaitExit(EXIT_TIMEOUT)) {
            kill();
        }
    }

    /**
     * Stops the server if it is running, then starts it again on the same port, directory and password,
     * waiting at most {@link #START_TIMEOUT}. With append-only on, every acknowledged write is still there;
     * a cluster node keeps its identity and slots ({@code nodes.conf}), though the cluster may need a moment
     * (gossip, node timeout 2 s) to report {@code cluster_state:ok} again.
     *
     * @throws IllegalStateException if the server does not come back (for one, another process took the port)
     */
    public synchronized void restart() {
        requireOpen();
        stop();
        launch();
    }

    /**
     * SIGSTOP: the process keeps its sockets but answers nothing, as an unreachable host would. The kernel
     * still completes TCP connects (they queue in the backlog); reads on them time out.
     */
    public synchronized void pause() {
        requireOpen();
        if (!paused) {
            signal("STOP");
            paused = true;
        }
    }

    /** SIGCONT after {@link #pause()}: the server answers again, including what queued while it was stopped. */
    public synchronized void resume() {
        if (paused) {
            if (process.isAlive()) {
                signal("CONT");
            }
            paused = false;
        }
    }

    /** Kills the server, waits for it to exit and deletes its directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            resume();
            kill();
        } finally {
            LIVE.remove(this);
            deleteTree(dir);
        }
    }

    @Override
    public String toString() {
        String state = closed ? "closed" : !process.isAlive() ? "exited" : paused ? "paused" : "running";
        return "RedisServer[" + HOST + ":" + port + (clusterEnabled ? " cluster bus " + busPort : "")
                + (appendOnly ? " appendonly" : "") + " pid " + process.pid() + " " + state + ", dir " + dir + "]";
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this RedisServer is closed: " + this);
        }
    }

    private List<String> commandLine() {
        List<String> cmd = new ArrayList<>(List.of(executable.toString(),
                "--bind", HOST, "--port", Integer.toString(port), "--protected-mode", "yes",
                "--requirepass", password, "--daemonize", "no",
                "--dir", dir.toString(), "--logfile", dir.resolve(LOG).toString(),
                "--pidfile", dir.resolve(PID_FILE).toString()));
        if (appendOnly) {
            cmd.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            cmd.addAll(List.of("--save", "", "--appendonly", "no"));
        }
        if (clusterEnabled) {
            // An explicit bus port: the default port + 10000 may be above 65535 or taken.
            cmd.addAll(List.of("--cluster-enabled", "yes", "--cluster-port", Integer.toString(busPort),
                    "--cluster-config-file", dir.resolve("nodes.conf").toString(),
                    "--cluster-node-timeout", "2000", "--masterauth", password));
        }
        cmd.addAll(extraArgs); // last, so that they override ours
        return cmd;
    }

    /** Starts the process and waits until it answers; on failure it is killed and an exception says why. */
    private void launch() {
        try {
            process = new ProcessBuilder(commandLine()).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(CONSOLE).toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + executable, e);
        }
        paused = false;
        LIVE.add(this);
        String failure = awaitPong();
        if (failure != null) {
            kill();
            throw new IllegalStateException("redis-server on " + HOST + ":" + port + " " + failure
                    + "; the last lines of its output and log:\n" + logTail(20));
        }
    }

    /** Null once {@code AUTH} + {@code PING} get {@code +PONG}; otherwise what went wrong. */
    private String awaitPong() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return "exited with code " + process.exitValue() + " during start-up";
            }
            try (Resp resp = new Resp(port, 500)) {
                resp.call("AUTH", password);
                if ("PONG".equals(resp.call("PING"))) {
                    return null;
                }
            } catch (IOException | IllegalStateException e) {
                last = e.getMessage(); // not listening yet, or LOADING the append-only file
            }
            sleep(20);
        }
        return "did not answer PING within " + START_TIMEOUT.toSeconds() + " s (last: " + last + ")";
    }

    private boolean bindFailed() {
        return logTail(20).contains("Address already in use");
    }

    private boolean awaitExit(Duration within) {
        try {
            return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for redis-server " + process.pid() + " to exit", e);
        }
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!kill.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run kill -" + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + name, e);
        }
    }

    /** The last {@code lines} of the server's log and of what it printed before opening the log. */
    private String logTail(int lines) {
        StringBuilder text = new StringBuilder();
        for (String name : List.of(CONSOLE, LOG)) {
            Path file = dir.resolve(name);
            try {
                if (Files.exists(file)) {
                    List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
                    all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> text.append(l).append('\n'));
                }
            } catch (IOException | UncheckedIOException e) {
                text.append("(cannot read ").append(file).append(": ").append(e.getMessage()).append(")\n");
            }
        }
        return text.length() == 0 ? "(empty)" : text.toString();
    }

    private static void reapAtExit(RedisServer server) {
        server.process.destroyForcibly();
        try {
            server.process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(server.dir);
    }

    /**
     * Kills the servers of JVMs that died without running their shutdown hooks (kill -9, a surefire timeout).
     * A server is ours when its directory is named after a dead JVM and its working directory is that one.
     */
    private static void reapOrphans() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, DIR_PREFIX + "*")) {
            for (Path dir : dirs) {
                long owner = ownerPid(dir);
                if (owner <= 0 || ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                serverPid(dir).flatMap(ProcessHandle::of).filter(p -> runsIn(p, dir)).ifPresent(p -> {
                    p.destroyForcibly();
                    try {
                        p.onExit().get(2, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (ExecutionException | TimeoutException e) {
                        // best effort: a server we cannot end shows up in .ci/run's check for leftovers
                    }
                });
                deleteTree(dir);
            }
        } catch (IOException | UncheckedIOException e) {
            // best effort, as above
        }
    }

    private static long ownerPid(Path dir) {
        String rest = dir.getFileName().toString().substring(DIR_PREFIX.length());
        try {
            return Long.parseLong(rest.substring(0, rest.indexOf('-')));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static Optional<Long> serverPid(Path dir) {
        try {
            return Optional.of(Long.parseLong(Files.readString(dir.resolve(PID_FILE)).trim()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Redis changes its own command line, but not its working directory: {@code --dir} is where it chdir'ed. */
    private static boolean runsIn(ProcessHandle p, Path dir) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).equals(dir.toRealPath());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Path findExecutable() {
        Path standard = Path.of("/usr/bin/redis-server");
        if (Files.isExecutable(standard)) {
            return standard;
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(entry.isEmpty() ? "." : entry, "redis-server");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("redis-server is not installed (not /usr/bin/redis-server, not on PATH): "
                + "apt-get install -y redis-server (.ci/run does it)");
    }

    /** Free loopback ports, all held open together so that they differ, then closed for the server to take. */
    private static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + HOST, e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // the port is free either way
                }
            }
        }
    }

    private static String randomPassword() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder s = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            s.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        } catch (IOException | UncheckedIOException e) {
            // a file that survives is in the temp directory, and the next JVM's reapOrphans removes it
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server", e);
        }
    }

    /** Options for a {@link RedisServer}. */
    public static final class Builder {
        private String password = randomPassword();
        private final List<String> extraArgs = new ArrayList<>();
        private boolean appendOnly;
        private boolean clusterEnabled;

        private Builder() {
        }

        /** The {@code requirepass} password; by default 24 random letters and digits. */
        public Builder password(String password) {
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("the password must not be empty");
            }
            this.password = password;
            return this;
        }

        /** More {@code redis-server} arguments, such as {@code List.of("--maxmemory", "10mb")}; they override ours. */
        public Builder extraArgs(List<String> args) {
            extraArgs.addAll(args);
            return this;
        }

        /**
         * With {@code true}: {@code --appendonly yes --appendfsync always}, so every acknowledged write is on
         * disk and survives {@link RedisServer#kill()} + {@link RedisServer#restart()}. Default {@code false}:
         * no persistence at all ({@code --save '' --appendonly no}).
         */
        public Builder appendOnly(boolean appendOnly) {
            this.appendOnly = appendOnly;
            return this;
        }

        /**
         * With {@code true}: a cluster node ({@code --cluster-enabled yes}, node timeout 2 s, {@code nodes.conf}
         * in its directory, {@code --masterauth} the password) with no slots yet; {@link RedisCluster} joins nodes.
         */
        public Builder clusterEnabled(boolean clusterEnabled) {
            this.clusterEnabled = clusterEnabled;
            return this;
        }

        /**
         * Starts the server and waits until it answers {@code PING} (at most {@link #START_TIMEOUT} per
         * attempt; up to 3 attempts on fresh ports if another process took the port in between).
         *
         * @throws IllegalStateException if redis-server is not installed, or does not come up; the message
         *                               quotes the end of its log
         */
        public RedisServer start() {
            Path executable = findExecutable();
            if (ORPHANS_REAPED.compareAndSet(false, true)) {
                reapOrphans();
            }
            Path dir;
            try {
                dir = Files.createTempDirectory(DIR_PREFIX + ProcessHandle.current().pid() + "-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a directory for redis-server", e);
            }
            for (int attempt = 1; ; attempt++) {
                int[] ports = freePorts(clusterEnabled ? 2 : 1);
                RedisServer server = new RedisServer(this, executable, dir, ports[0], clusterEnabled ? ports[1] : -1);
                try {
                    server.launch();
                    return server;
                } catch (RuntimeException e) {
                    boolean retry = attempt < BIND_ATTEMPTS && server.process != null && server.bindFailed();
                    LIVE.remove(server);
                    if (!retry) {
                        deleteTree(dir);
                        throw e;
                    }
                }
            }
        }
    }

    /** A minimal RESP2 client on one socket: requests as arrays of bulk strings, replies decoded. */
    private static final class Resp implements Closeable {
        private static final int MAX_LINE = 1 << 20;
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Resp(int port, int timeoutMillis) throws IOException {
            socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(HOST, port), timeoutMillis);
                socket.setSoTimeout(timeoutMillis);
                socket.setTcpNoDelay(true);
                in = new BufferedInputStream(socket.getInputStream());
                out = new BufferedOutputStream(socket.getOutputStream());
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        Object call(String... args) throws IOException {
            write(args);
            return read();
        }

        void write(String... args) throws IOException {
            out.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                out.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.write('\r');
                out.write('\n');
            }
            out.flush();
        }

        /** Waits (within the read timeout) until the server closes the connection. */
        void awaitClose() throws IOException {
            while (in.read() >= 0) {
                // drain: SHUTDOWN answers only if it fails, and then read() below throws
            }
        }

        private Object read() throws IOException {
            int type = in.read();
            if (type < 0) {
                throw new EOFException("connection closed by redis-server");
            }
            String line = readLine();
            switch (type) {
                case '+':
                    return line;
                case '-':
                    throw new IllegalStateException(line);
                case ':':
                    return Long.parseLong(line);
                case '$': {
                    int length = Integer.parseInt(line);
                    if (length < 0) {
                        return null;
                    }
                    byte[] bytes = in.readNBytes(length);
                    if (bytes.length < length || in.read() != '\r' || in.read() != '\n') {
                        throw new EOFException("connection closed inside a bulk string");
                    }
                    return new String(bytes, StandardCharsets.UTF_8);
                }
                case '*': {
                    int count = Integer.parseInt(line);
                    if (count < 0) {
                        return null;
                    }
                    List<Object> items = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        items.add(read());
                    }
                    return Collections.unmodifiableList(items);
                }
                default:
                    throw new IOException("not a RESP2 reply: type byte " + type);
            }
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != '\r') {
                if (c < 0 || line.size() > MAX_LINE) {
                    throw new EOFException("connection closed inside a reply line");
                }
                line.write(c);
            }
            if (in.read() != '\n') {
                throw new IOException("a reply line ends in CR without LF");
            }
            return line.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
