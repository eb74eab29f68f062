package dev.procshare.cli;

import dev.procshare.manager.ManagerSockets;
import dev.procshare.memory.SegmentInfo;
import dev.procshare.memory.SharedMemory;
import java.io.PrintStream;
import java.util.List;

/** {@code procshare ls} and {@code procshare clean [--dry-run]}. */
final class SegmentsCommand {
    static final String LS_HELP = """
            usage: procshare ls

            Lists procshare's shared-memory segments in /dev/shm (name, size, kind, owner pid, owner state) and
            the sockets of managers started with a default address (listening or not).
            """;
    static final String CLEAN_HELP = """
            usage: procshare clean [--dry-run]

            Removes the segments whose owner process is dead (persistent ones are kept) and the manager socket
            directories nothing listens on whose creator is dead. --dry-run only shows what it would remove.
            """;

    private SegmentsCommand() {
    }

    static int list(String[] args, PrintStream out) throws Exception {
        if (Procshare.wantsHelp(args, out, LS_HELP)) {
            return 0;
        }
        if (args.length > 0) {
            throw new Procshare.UsageException("ls takes no arguments");
        }
        List<SegmentInfo> segments = SharedMemory.list();
        out.println("segments (" + segments.size() + "):");
        if (!segments.isEmpty()) {
            out.printf("  %-40s %12s  %-40s %8s  %s%n", "NAME", "BYTES", "KIND", "OWNER", "STATE");
        }
        for (SegmentInfo s : segments) {
            out.printf("  %-40s %12d  %-40s %8s  %s%n", s.name(), s.size(), s.kind() == null ? "?" : s.kind(),
                    s.ownerPid() < 0 ? "?" : Long.toString(s.ownerPid()), state(s));
        }
        List<ManagerSockets.SocketInfo> sockets = ManagerSockets.list();
        out.println("manager sockets (" + sockets.size() + "):");
        for (ManagerSockets.SocketInfo s : sockets) {
            out.printf("  %s  started by pid %d  %s%n", s.address(), s.creatorPid(),
                    s.listening() ? "listening" : s.stale() ? "stale" : "not listening");
        }
        return 0;
    }

    private static String state(SegmentInfo s) {
        if (s.problem() != null) {
            return "unreadable: " + s.problem();
        }
        if (s.persistent()) {
            return s.ownerAlive() ? "alive, persistent" : "owner dead, persistent (kept)";
        }
        return s.ownerAlive() ? "alive" : "owner dead (stale)";
    }

    static int clean(String[] args, PrintStream out) throws Exception {
        if (Procshare.wantsHelp(args, out, CLEAN_HELP)) {
            return 0;
        }
        boolean dryRun = false;
        for (String a : args) {
            if (!a.equals("--dry-run")) {
                throw new Procshare.UsageException("clean: unknown argument '" + a + "'");
            }
            dryRun = true;
        }
        String verb = dryRun ? "would remove" : "removed";
        List<String> segments;
        if (dryRun) {
            segments = SharedMemory.list().stream().filter(SegmentInfo::stale).map(SegmentInfo::name).toList();
        } else {
            segments = SharedMemory.cleanStale();
        }
        for (String name : segments) {
            out.println(verb + " segment " + name);
        }
        List<ManagerSockets.SocketInfo> sockets = ManagerSockets.cleanStale(dryRun);
        for (ManagerSockets.SocketInfo s : sockets) {
            out.println(verb + " manager socket " + s.address());
        }
        out.println(verb + " " + segments.size() + " segment(s) and " + sockets.size() + " manager socket(s)");
        return 0;
    }
}
