package dev.procshare.connection;

import dev.procshare.codec.AllowList;
import dev.procshare.process.InheritedContext;
import dev.procshare.process.PrivateDirectory;
import dev.procshare.process.RandomBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where connections sent to other processes come back to this one: a {@link Listener} on a private Unix
 * socket (0700 directory, this process family's auth key), started with the first end that travels.
 *
 * <p>A traveling end is registered here under an id with a one-time token. The process that decodes it
 * connects, authenticates, and claims it ({@code "PSE1" id slot token}). Then: if the other end of its pipe
 * is still unused in this process, that end takes the accepted socket and the two processes talk directly;
 * if the other end traveled too, the first socket waits for the second and this process relays between
 * them; a connection that was already in use when it traveled is relayed between its socket and the new
 * one. A claim with a used or unknown token is refused. A token nobody claims within
 * {@code procshare.pipe.rendezvous.seconds} (default 60) expires: the waiting side gets
 * {@link PeerClosedException}, so that an end sent to a process that died before decoding it cannot make
 * its peer wait forever.
 */
final class Rendezvous {
    static final String DIR_PREFIX = "procshare-pipe-";
    private static final long EXPIRY_NANOS = Long.getLong("procshare.pipe.rendezvous.seconds", 60) * 1_000_000_000L;
    private static final byte[] CLAIM = "PSE1".getBytes(StandardCharsets.US_ASCII);
    private static volatile Rendezvous local;

    private final Listener listener;
    private final Map<Long, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final java.util.Timer expiry = new java.util.Timer("procshare-pipe-expiry", true);

    private Rendezvous(Listener listener) {
        this.listener = listener;
    }

    /** This process's rendezvous, started on first use. */
    static Rendezvous local() throws IOException {
        Rendezvous r = local;
        if (r != null) {
            return r;
        }
        synchronized (Rendezvous.class) {
            if (local == null) {
                removeDeadProcessesDirectories();
                Listener l = Listener.bind(null, null, AllowList.defaults(), DIR_PREFIX);
                Rendezvous made = new Rendezvous(l);
                Thread acceptor = new Thread(made::acceptLoop, "procshare-pipe-rendezvous");
                acceptor.setDaemon(true);
                acceptor.start();
                Runtime.getRuntime().addShutdownHook(new Thread(l::close, "procshare-pipe-cleanup"));
                local = made;
            }
            return local;
        }
    }

    private static void removeDeadProcessesDirectories() {
        for (java.nio.file.Path dir : PrivateDirectory.list(DIR_PREFIX)) {
            PrivateDirectory.creatorPid(dir, DIR_PREFIX).ifPresent(pid -> {
                if (ProcessHandle.of(pid).isEmpty()) {
                    PrivateDirectory.delete(dir);
                }
            });
        }
    }

    /** A pipe's two ends, or a relayed connection's one. */
    static final class Entry {
        final Slot[] slots;
        long id = -1;
        /** One thread at a time makes the local socket pair of a pipe whose ends are both used here. */
        boolean pairing;

        Entry(int n) {
            slots = new Slot[n];
            for (int i = 0; i < n; i++) {
                slots[i] = new Slot(this, i);
            }
        }
    }

    /** One end of an entry. Guarded by its entry. */
    static final class Slot {
        final Entry entry;
        final int index;
        /** The end in this process (pipes); null for a relay. */
        Connection local;
        /** Issued when the end traveled; null while it did not. */
        String token;
        boolean claimed;
        boolean expired;
        /** A relayed connection's socket here, spliced with the claiming one. */
        SocketFrames relayed;
        /** The claiming socket, waiting for the other end's claim (both ends traveled). */
        SocketFrames parked;

        Slot(Entry entry, int index) {
            this.entry = entry;
            this.index = index;
        }

        Slot other() {
            return entry.slots[1 - index];
        }

        /** The descriptor of this unused end, or null if it got connected meanwhile (then it is relayed). */
        EndDescriptor export(Connection end) throws IOException {
            Rendezvous r = local();
            synchronized (entry) {
                while (entry.pairing) {
                    awaitQuietly(entry, Long.MAX_VALUE);
                }
                if (end.hasFrames()) {
                    return null;
                }
                return r.issue(this, end.readable(), end.writable(), end.allowList());
            }
        }

        /**
         * The socket of this end, used here for the first time: its peer's claimed socket, or a local socket
         * pair if the peer is unused too. Waits for a traveled peer to be claimed, until {@code deadline}.
         */
        SocketFrames bindLocal(Connection end, long deadline) throws IOException {
            Rendezvous r = local();
            Slot peer = other();
            EndDescriptor pair;
            synchronized (entry) {
                while (true) {
                    if (end.hasFrames()) {
                        return end.framesForRendezvous();
                    }
                    if (end.isClosed()) {
                        throw new IOException("this connection is closed (close() was called in this process)");
                    }
                    if (peer.expired) {
                        throw new PeerClosedException("the other end of this pipe was sent to another process and no"
                                + " process took it within " + EXPIRY_NANOS / 1_000_000_000L + " s (it died, or never"
                                + " decoded it); see procshare.pipe.rendezvous.seconds");
                    }
                    if (peer.token == null && peer.local.isClosed()) {
                        throw new PeerClosedException("the other end of this pipe was closed before it was used");
                    }
                    if (peer.token == null && !entry.pairing) {
                        // both ends are used here: this thread claims the peer's end from this process
                        entry.pairing = true;
                        pair = r.issue(peer, peer.local.readable(), peer.local.writable(), peer.local.allowList());
                        break;
                    }
                    if (System.nanoTime() - deadline >= 0) {
                        throw new java.net.SocketTimeoutException("the other end of this pipe has not connected yet");
                    }
                    awaitQuietly(entry, deadline);
                }
            }
            SocketFrames mine = null;
            try {
                mine = claim(pair);
            } finally {
                synchronized (entry) {
                    entry.pairing = false;
                    if (mine != null) {
                        peer.local.connected(mine);
                        if (peer.local.isClosed()) {
                            mine.close(); // closed meanwhile: this end then reads the end of the stream
                        }
                    }
                    entry.notifyAll();
                }
            }
            return bindLocal(end, deadline);
        }

        /** A local end closed: a claim of its peer from now on gets a closed socket. */
        void closed(Connection end) {
            synchronized (entry) {
                entry.notifyAll();
            }
        }
    }

    private static void awaitQuietly(Object monitor, long deadline) throws java.io.InterruptedIOException {
        long left = deadline == Long.MAX_VALUE ? 1_000 : Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        try {
            monitor.wait(Math.min(left, 1_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the other end of a pipe");
        }
    }

    /** Registers a pipe's two ends (their traveling registers them here). */
    static Entry pipe() {
        return new Entry(2);
    }

    /** Offers {@code frames} (a connection in use) to one other process, which this one relays to. */
    EndDescriptor relay(SocketFrames frames, boolean readable, boolean writable, AllowList allowList) {
        Entry e = new Entry(1);
        synchronized (e) {
            e.slots[0].relayed = frames;
            return issue(e.slots[0], readable, writable, allowList);
        }
    }

    /** Gives {@code slot} a token (once) and its descriptor. Holds the entry's lock. */
    private EndDescriptor issue(Slot slot, boolean readable, boolean writable, AllowList allowList) {
        Entry e = slot.entry;
        if (e.id < 0) {
            e.id = ids.incrementAndGet();
            entries.put(e.id, e);
        }
        if (slot.token == null) {
            slot.token = HexFormat.of().formatHex(RandomBytes.of(16));
            expiry.schedule(new java.util.TimerTask() {
                @Override
                public void run() {
                    expire(slot);
                }
            }, EXPIRY_NANOS / 1_000_000);
        }
        return new EndDescriptor(listener.address(), e.id, slot.index, slot.token, readable, writable,
                allowList.allowedClasses(), allowList.allowedPackages());
    }

    private void expire(Slot slot) {
        Entry e = slot.entry;
        synchronized (e) {
            if (!slot.claimed) {
                slot.expired = true;
                if (slot.relayed != null) {
                    slot.relayed.close();
                }
                if (e.slots.length == 2 && slot.other().parked != null) {
                    slot.other().parked.close();
                }
                e.notifyAll();
            }
            forgetIfSettled(e);
        }
    }

    private void forgetIfSettled(Entry e) {
        for (Slot s : e.slots) {
            if (s.token != null && !s.claimed && !s.expired) {
                return;
            }
        }
        entries.remove(e.id);
    }

    /** Claims the end {@code d} names from the process that issued it; the socket is that end's. */
    static SocketFrames claim(EndDescriptor d) throws IOException {
        SocketFrames frames;
        try {
            frames = SocketFrames.connect(Address.parse(d.address()));
        } catch (IOException e) {
            throw new PeerClosedException("the process that offered this connection (" + d.address()
                    + ") is gone or no longer listens: " + e.getMessage(), e);
        }
        try {
            long deadline = System.nanoTime() + Listener.HANDSHAKE_NANOS;
            Challenge.answer(frames, InheritedContext.authKey(), deadline);
            byte[] token = d.token().getBytes(StandardCharsets.US_ASCII);
            frames.send(ByteBuffer.allocate(CLAIM.length + 12 + token.length).put(CLAIM).putLong(d.id())
                    .putInt(d.slot()).put(token).array());
            byte[] reply = frames.receive(Challenge.LIMIT, deadline);
            String text = new String(reply, StandardCharsets.UTF_8);
            if (!text.equals("OK")) {
                throw new IOException(text.startsWith("NO") ? text.substring(2) : "unexpected reply " + text);
            }
            return frames;
        } catch (IOException | RuntimeException e) {
            frames.close();
            throw e;
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            SocketFrames frames;
            try {
                frames = listener.acceptFrames(Long.MAX_VALUE);
            } catch (IOException e) {
                continue; // a peer that failed the handshake; or the listener closed at exit
            }
            try {
                String refusal = admit(frames);
                if (refusal != null) {
                    frames.send(("NO" + refusal).getBytes(StandardCharsets.UTF_8));
                    frames.close();
                }
            } catch (IOException | RuntimeException e) {
                frames.close();
            }
        }
    }

    /** Handles a claim; returns why it is refused, or null once the socket is handed over. */
    private String admit(SocketFrames frames) throws IOException {
        byte[] claim = frames.receive(Challenge.LIMIT, System.nanoTime() + Listener.HANDSHAKE_NANOS);
        ByteBuffer b = ByteBuffer.wrap(claim);
        if (claim.length < CLAIM.length + 12 || !java.util.Arrays.equals(claim, 0, CLAIM.length, CLAIM, 0, CLAIM.length)) {
            return "not a claim of a connection end";
        }
        b.position(CLAIM.length);
        long id = b.getLong();
        int index = b.getInt();
        String token = new String(claim, b.position(), claim.length - b.position(), StandardCharsets.US_ASCII);
        Entry e = entries.get(id);
        if (e == null || index < 0 || index >= e.slots.length) {
            return "connection end " + id + "/" + index + " of process " + ProcessHandle.current().pid()
                    + " was already taken by another process, expired, or never offered: an end works in one"
                    + " process only";
        }
        synchronized (e) {
            Slot s = e.slots[index];
            if (s.token == null || !Hmac.equal(
                    s.token.getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII))) {
                return "wrong token for connection end " + id + "/" + index;
            }
            if (s.claimed) {
                return "connection end " + id + "/" + index + " was already taken by another process:"
                        + " an end works in one process only";
            }
            if (s.expired) {
                return "connection end " + id + "/" + index + " expired: nobody took it within "
                        + EXPIRY_NANOS / 1_000_000_000L + " s";
            }
            s.claimed = true;
            frames.send("OK".getBytes(StandardCharsets.US_ASCII));
            if (s.relayed != null) {
                splice(s.relayed, frames);
            } else {
                Slot peer = s.other();
                if (peer.token == null) {
                    if (peer.local.isClosed()) {
                        frames.close(); // the claimer sees the end of the stream, as from a closed peer
                    } else {
                        peer.local.connected(frames); // direct: the two processes talk without this one
                    }
                } else if (peer.parked != null) {
                    splice(peer.parked, frames);
                    peer.parked = null;
                } else {
                    s.parked = frames;
                }
            }
            e.notifyAll();
            forgetIfSettled(e);
        }
        return null;
    }

    private static void splice(SocketFrames a, SocketFrames b) {
        Thread ab = new Thread(() -> a.pumpTo(b), "procshare-pipe-relay");
        Thread ba = new Thread(() -> b.pumpTo(a), "procshare-pipe-relay");
        ab.setDaemon(true);
        ba.setDaemon(true);
        ab.start();
        ba.start();
    }
}
