package dev.procshare.manager;

import dev.procshare.process.PrivateDirectory;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Unix sockets of managers started on this host with a default address (in private directories under
 * {@code java.io.tmpdir}), for listing and cleaning tools ({@code procshare ls}, {@code procshare clean}).
 */
public final class ManagerSockets {
    private ManagerSockets() {
    }

    /**
     * One manager socket.
     *
     * @param socket the socket file (its directory is removed with it)
     * @param creatorPid the JVM that started the manager
     * @param listening whether a server accepts connections on it now
     */
    public record SocketInfo(Path socket, long creatorPid, boolean listening) {
        /** Stale: nothing listens and its creator is gone. */
        public boolean stale() {
            return !listening && ProcessHandle.of(creatorPid).isEmpty();
        }

        public String address() {
            return "unix:" + socket;
        }
    }

    /** The manager socket directories found now. */
    public static List<SocketInfo> list() {
        List<SocketInfo> out = new ArrayList<>();
        for (Directory d : directories()) {
            out.add(new SocketInfo(d.socket(), d.creatorPid(), listening(d.socket())));
        }
        return out;
    }

    /** A socket directory and the JVM whose pid its name carries. */
    private record Directory(Path socket, long creatorPid) {
    }

    private static List<Directory> directories() {
        List<Directory> out = new ArrayList<>();
        for (Path dir : PrivateDirectory.list(ManagerLauncher.DIR_PREFIX)) {
            PrivateDirectory.creatorPid(dir, ManagerLauncher.DIR_PREFIX)
                    .ifPresent(pid -> out.add(new Directory(dir.resolve("manager.sock"), pid)));
        }
        return out;
    }

    private static boolean listening(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Removes the stale ones (or only lists them when {@code dryRun}); returns them. Only the sockets of dead
     * creators are probed, so live managers are not disturbed.
     */
    public static List<SocketInfo> cleanStale(boolean dryRun) {
        List<SocketInfo> stale = new ArrayList<>();
        for (Directory d : directories()) {
            if (ProcessHandle.of(d.creatorPid()).isEmpty() && !listening(d.socket())) {
                stale.add(new SocketInfo(d.socket(), d.creatorPid(), false));
                if (!dryRun) {
                    PrivateDirectory.delete(d.socket().getParent());
                }
            }
        }
        return stale;
    }
}
