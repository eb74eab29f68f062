package dev.procshare.cli;

import dev.procshare.manager.Manager;
import dev.procshare.manager.ManagerServer;
import dev.procshare.manager.ObjectFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Set;

/** {@code procshare manager serve}: Python's {@code get_server().serve_forever()}. */
final class ServeCommand {
    static final String HELP = """
            usage: procshare manager serve --listen unix:PATH|tcp:HOST:PORT --authkey-file FILE
                                           [--register TYPE=CLASS[:INTERFACE]]... [--allow-package PKG]...

            Runs a manager server in this process until SIGTERM or Ctrl-C, then stops cleanly (clients' calls
            fail with ManagerUnavailableException, the socket file is removed). Clients connect with
            Manager.connect("unix:PATH" or "tcp://HOST:PORT", key).

              --listen         where to listen; tcp:HOST:0 picks a free port (printed)
              --authkey-file   the key clients must prove they hold: the file's bytes (a trailing newline is
                               dropped); keep it readable by you only
              --register       a type clients can create: CLASS (on the classpath, public no-argument
                               constructor) implementing INTERFACE (default: its only interface)
              --allow-package  lets values of this package (and subpackages) be deserialized
            """;

    private ServeCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || !args[0].equals("serve")) {
            if (Procshare.wantsHelp(args, out, HELP)) {
                return 0;
            }
            throw new Procshare.UsageException("manager: the only subcommand is 'serve'");
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (Procshare.wantsHelp(rest, out, HELP)) {
            return 0;
        }
        String listen = null;
        Path keyFile = null;
        Manager.Builder builder = Manager.builder();
        for (int i = 0; i < rest.length; i++) {
            String option = rest[i];
            if (i + 1 >= rest.length) {
                throw new Procshare.UsageException("manager serve: " + option + " needs a value");
            }
            String value = rest[++i];
            switch (option) {
                case "--listen" -> listen = value;
                case "--authkey-file" -> keyFile = Path.of(value);
                case "--register" -> register(builder, value);
                case "--allow-package" -> builder.allowPackage(value);
                default -> throw new Procshare.UsageException("manager serve: unknown option " + option);
            }
        }
        if (listen == null || keyFile == null) {
            throw new Procshare.UsageException("manager serve: --listen and --authkey-file are required");
        }
        builder.address(listen).authKey(readKey(keyFile, err));
        ManagerServer server;
        try {
            server = builder.serve();
        } catch (RuntimeException e) {
            err.println("procshare: cannot start the manager: " + e.getMessage());
            return 1;
        }
        Thread stopper = new Thread(server::close, "procshare-serve-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        out.println("procshare manager listening on " + server.address());
        out.flush();
        server.awaitShutdown();
        out.println("procshare manager stopped");
        return 0;
    }

    private static byte[] readKey(Path file, PrintStream err) throws Procshare.UsageException {
        byte[] key;
        try {
            key = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Procshare.UsageException("cannot read the auth key file " + file + ": " + e.getMessage());
        }
        int n = key.length;
        while (n > 0 && (key[n - 1] == '\n' || key[n - 1] == '\r')) {
            n--;
        }
        if (n == 0) {
            throw new Procshare.UsageException("the auth key file " + file + " is empty");
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
                err.println("note: " + file + " is readable by other users; chmod 600 it");
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        return Arrays.copyOf(key, n);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void register(Manager.Builder builder, String spec) throws Procshare.UsageException {
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new Procshare.UsageException("--register wants TYPE=CLASS[:INTERFACE], not '" + spec + "'");
        }
        String typeId = spec.substring(0, eq);
        String[] names = spec.substring(eq + 1).split(":");
        try {
            Class<?> type = Class.forName(names[0]);
            Class<?> api;
            if (names.length > 1) {
                api = Class.forName(names[1]);
            } else {
                Class<?>[] interfaces = Arrays.stream(type.getInterfaces())
                        .filter(c -> c != java.io.Serializable.class).toArray(Class<?>[]::new);
                if (interfaces.length != 1) {
                    throw new Procshare.UsageException("--register " + spec + ": " + type.getName() + " implements "
                            + interfaces.length + " interfaces; name one as CLASS:INTERFACE");
                }
                api = interfaces[0];
            }
            if (!api.isAssignableFrom(type)) {
                throw new Procshare.UsageException(type.getName() + " does not implement " + api.getName());
            }
            type.getConstructor();
            String className = type.getName();
            ObjectFactory<Object> factory = args -> Class.forName(className).getConstructor().newInstance();
            builder.register(typeId, (Class) api, factory);
        } catch (ClassNotFoundException e) {
            throw new Procshare.UsageException("--register " + spec + ": class " + e.getMessage() + " is not on the classpath");
        } catch (NoSuchMethodException e) {
            throw new Procshare.UsageException("--register " + spec + ": " + names[0] + " has no public no-argument constructor");
        }
    }
}
