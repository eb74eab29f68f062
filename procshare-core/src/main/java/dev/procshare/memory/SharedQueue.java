package dev.procshare.memory;

import dev.procshare.codec.AllowList;
import dev.procshare.codec.ClassNotAllowedException;
import dev.procshare.codec.Portable;
import java.io.Serial;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A bounded first-in-first-out queue in one shared-memory segment, used by any number of producer and
 * consumer processes with no server: Python's {@code multiprocessing.Queue(maxsize)} as a
 * {@link BlockingQueue}. Items are encoded with procshare's codec ({@link dev.procshare.codec.FastCodec}: strings, boxes,
 * primitive arrays, lists and maps of those, procshare handles; any other {@code Serializable} through Java
 * serialization) into fixed-size slots of at most {@link #maxItemBytes()} bytes each.
 *
 * <p><b>Layout.</b> After the segment header: a robust owner word (pid and start time of the process in an
 * operation, see {@link SharedLock}), the take index {@code head} and the put index {@code tail} (each a
 * count since creation, on its own cache line), then {@link #capacity()} slots of a 4-byte length and
 * {@link #maxItemBytes()} bytes. The item at index {@code i} is in slot {@code i % capacity}.
 *
 * <p><b>Memory semantics.</b> Every operation that reads or changes items runs under the owner word: an
 * item is copied into or out of its slot with plain writes while the word is held, then the index store
 * (volatile) commits the operation, then the word is released (a volatile compare-and-set). Whatever a
 * producer did before {@code put} returned is visible to the consumer whose {@code take} returns the item,
 * as for {@code java.util.concurrent} queues. {@link #size()} and {@link #remainingCapacity()} read the two
 * indices without the word: a snapshot that may be stale by the time it returns.
 *
 * <p><b>When a process dies.</b> The index store is the commit point of a put or a take, and an 8-byte
 * aligned store cannot tear. A process killed before it stores leaves the queue exactly as it was before
 * its operation (a half-copied slot lies outside {@code [head, tail)} and is overwritten by the next put);
 * one killed after it leaves the operation complete. Its owner word is taken over by the next process
 * that waits for it, within milliseconds ({@link #recoveries()} counts that). Hence: an item whose
 * {@code put}/{@code offer} returned {@code true} is delivered to exactly one {@code take}/{@code poll}
 * (unless the queue is destroyed first); an item whose producer was killed inside {@code put} is either
 * delivered once or not at all; an item taken by a consumer that is then killed before it used the item
 * is that consumer's, and is lost with it. No item is ever delivered twice.
 *
 * <p><b>Waiting.</b> A put on a full queue or a take on an empty one polls the indices without holding the
 * word, spinning, then yielding, then parking up to a millisecond at a time (so a long wait costs almost
 * no CPU and may see the change up to a millisecond late). Timeouts are honoured, and interrupts in the
 * methods that declare {@code InterruptedException}. The non-waiting methods ({@link #offer(Object)},
 * {@link #poll()}, {@link #peek()}, {@link #drainTo}) wait only for the word, which a live process holds for
 * a copy's time; if a live process holds it for more than {@value #LOCK_PATIENCE_MILLIS} ms (stopped in a
 * debugger, say) they throw {@link SharedMemoryException} naming it rather than hang.
 *
 * <p><b>What may be decoded.</b> A put encodes the item and refuses one holding a class that the queue's
 * {@link AllowList} refuses ({@link IllegalArgumentException} caused by {@link ClassNotAllowedException},
 * nothing added), so that consumers are never handed an item they cannot decode; a take decodes with the
 * same list (that of the handle it uses). The list is the builder's; a handle sent to another process
 * carries it along.
 *
 * <p><b>Across processes.</b> Serializable (and a {@link Portable} for procshare's codec) as the segment's
 * name and the allow-list: a queue captured by a {@code JvmProcess} target or a pool task attaches to the
 * same segment there. The creator owns the segment: its {@link #close()} unlinks it (processes attached
 * keep using it), and it is unlinked when the creator exits. {@link #open(String)} attaches by name.
 * {@code null} items are refused, as by every {@code BlockingQueue}.
 *
 * @param <E> the type of the items
 */
public final class SharedQueue<E> extends AbstractQueue<E> implements BlockingQueue<E>, SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;
    /** The default size limit of one encoded item. */
    public static final int DEFAULT_MAX_ITEM_BYTES = 1024;
    static final long LOCK_PATIENCE_MILLIS = 10_000;

    // Payload offsets. The word's take-over counter is at LOCK + 8 (OwnerWord.RECOVERIES).
    private static final int LOCK = SegmentHeader.SIZE;
    private static final int HEAD = LOCK + 64;
    private static final int TAIL = HEAD + 64;
    private static final int SLOTS = TAIL + 64;
    private static final int LAYOUT = SLOTS - SegmentHeader.SIZE;
    private static final int LENGTH_BYTES = Integer.BYTES;

    /** Where a test may stop a process inside an operation (a crash point); null in production. */
    enum Stage { PUT_COPIED, PUT_COMMITTED, TAKE_COPIED, TAKE_COMMITTED }

    static volatile Consumer<Stage> testHook;

    private final transient ArrayStorage storage;
    private final transient int capacity;
    private final transient int maxItemBytes;
    private final transient int stride;
    private final transient ItemCodec items;
    private final transient WordLock word;

    private SharedQueue(ArrayStorage storage, AllowList allowList) {
        this.storage = storage;
        this.capacity = storage.length;
        long slotBytes = storage.segment.payloadSize() - LAYOUT;
        if (capacity < 1 || slotBytes < 0 || slotBytes % capacity != 0 || slotBytes / capacity <= LENGTH_BYTES) {
            storage.close();
            throw new SegmentFormatException("segment '" + storage.segment.name + "' has a corrupt queue header: "
                    + capacity + " slots in " + slotBytes + " bytes");
        }
        this.stride = (int) (slotBytes / capacity);
        this.maxItemBytes = stride - LENGTH_BYTES;
        this.items = new ItemCodec(allowList, maxItemBytes);
        this.word = storage.segment.local(LOCK, () -> new WordLock(LOCK));
    }

    /** A new empty queue of {@code capacity} items of up to {@value #DEFAULT_MAX_ITEM_BYTES} bytes each. */
    public static <E> SharedQueue<E> create(int capacity) {
        return SharedQueue.<E>builder().capacity(capacity).build();
    }

    /** Options for a new queue: capacity, item size, name, allowed classes. */
    public static <E> Builder<E> builder() {
        return new Builder<>();
    }

    /** Attaches to the queue another process created under {@code name}; items decode with the default list. */
    public static <E> SharedQueue<E> open(String name) {
        return open(name, AllowList.defaults());
    }

    /** Attaches to the queue another process created under {@code name}, decoding what {@code allowList} allows. */
    public static <E> SharedQueue<E> open(String name, AllowList allowList) {
        return open(Segments.defaultDirectory(), name, allowList);
    }

    static <E> SharedQueue<E> open(Path directory, String name, AllowList allowList) {
        Objects.requireNonNull(allowList, "allowList");
        return new SharedQueue<>(ArrayStorage.open(directory, name, SegmentKind.QUEUE, Handle.Kind.QUEUE),
                allowList);
    }

    /** The most items the queue holds. */
    public int capacity() {
        return capacity;
    }

    /** The size limit of one encoded item, in bytes. */
    public int maxItemBytes() {
        return maxItemBytes;
    }

    /** The segment name, for {@link #open(String)} in another process. */
    public String name() {
        return storage.segment.name;
    }

    /** The allow-list items are decoded with in this process. */
    public AllowList allowList() {
        return items.allowList;
    }

    // ---- putting

    /** Waits as long as needed for space, then adds {@code e}. */
    @Override
    public void put(E e) throws InterruptedException {
        byte[] bytes = encode(e);
        insert(bytes, Long.MAX_VALUE, true);
    }

    /** Adds {@code e} if there is space now; waits only for a concurrent operation to finish. */
    @Override
    public boolean offer(E e) {
        byte[] bytes = encode(e);
        try {
            return insert(bytes, System.nanoTime(), false);
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Waits up to {@code timeout} for space; returns false, having added nothing, if there was none. */
    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException {
        byte[] bytes = encode(e);
        return insert(bytes, deadline(timeout, unit), true);
    }

    private boolean insert(byte[] bytes, long deadline, boolean interruptible) throws InterruptedException {
        Backoff backoff = new Backoff();
        for (;;) {
            ByteBuffer b = buffer();
            if (!lock(b, deadline, interruptible)) {
                return false;
            }
            try {
                long tail = (long) Slot.LONGS.getVolatile(b, TAIL);
                if (tail - (long) Slot.LONGS.getVolatile(b, HEAD) < capacity) {
                    int slot = slotOffset(tail);
                    b.putInt(slot, bytes.length);
                    b.put(slot + LENGTH_BYTES, bytes);
                    reached(Stage.PUT_COPIED);
                    Slot.LONGS.setVolatile(b, TAIL, tail + 1); // the commit point
                    reached(Stage.PUT_COMMITTED);
                    return true;
                }
            } finally {
                unlock(b);
            }
            // full: wait for a take without holding the word
            while ((long) Slot.LONGS.getVolatile(b, TAIL) - (long) Slot.LONGS.getVolatile(b, HEAD) >= capacity) {
                if (!waitStep(backoff, deadline, interruptible)) {
                    return false;
                }
                b = buffer();
            }
        }
    }

    // ---- taking

    /** Waits as long as needed for an item, then removes and returns it. */
    @Override
    public E take() throws InterruptedException {
        return decode(remove(Long.MAX_VALUE, true));
    }

    /** Removes and returns the head item, or null if the queue is empty now. */
    @Override
    public E poll() {
        try {
            return decode(remove(System.nanoTime(), false));
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Waits up to {@code timeout} for an item; null if none came. */
    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        return decode(remove(deadline(timeout, unit), true));
    }

    /** The encoded head item, removed; null if the queue stayed empty until {@code deadline}. */
    private byte[] remove(long deadline, boolean interruptible) throws InterruptedException {
        Backoff backoff = new Backoff();
        for (;;) {
            ByteBuffer b = buffer();
            if (!lock(b, deadline, interruptible)) {
                return null;
            }
            try {
                long head = (long) Slot.LONGS.getVolatile(b, HEAD);
                if (head != (long) Slot.LONGS.getVolatile(b, TAIL)) {
                    byte[] bytes = read(b, head);
                    reached(Stage.TAKE_COPIED);
                    Slot.LONGS.setVolatile(b, HEAD, head + 1); // the commit point
                    reached(Stage.TAKE_COMMITTED);
                    return bytes;
                }
            } finally {
                unlock(b);
            }
            while ((long) Slot.LONGS.getVolatile(b, HEAD) == (long) Slot.LONGS.getVolatile(b, TAIL)) {
                if (!waitStep(backoff, deadline, interruptible)) {
                    return null;
                }
                b = buffer();
            }
        }
    }

    /** The head item without removing it, or null if the queue is empty. */
    @Override
    public E peek() {
        byte[] bytes = null;
        ByteBuffer b = buffer();
        lockNow(b);
        try {
            long head = (long) Slot.LONGS.getVolatile(b, HEAD);
            if (head != (long) Slot.LONGS.getVolatile(b, TAIL)) {
                bytes = read(b, head);
            }
        } finally {
            unlock(b);
        }
        return bytes == null ? null : decode(bytes);
    }

    @Override
    public int drainTo(Collection<? super E> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    /**
     * Removes up to {@code maxElements} items in one operation (no other process sees a part of it) and adds
     * them to {@code c} in order. If one of them cannot be decoded, the others are still added and the
     * exception is thrown after them.
     */
    @Override
    public int drainTo(Collection<? super E> c, int maxElements) {
        Objects.requireNonNull(c, "c");
        if (c == this) {
            throw new IllegalArgumentException("cannot drain a queue into itself");
        }
        List<byte[]> taken = new ArrayList<>();
        ByteBuffer b = buffer();
        lockNow(b);
        try {
            long head = (long) Slot.LONGS.getVolatile(b, HEAD);
            long n = Math.min(maxElements, (long) Slot.LONGS.getVolatile(b, TAIL) - head);
            for (long i = 0; i < n; i++) {
                taken.add(read(b, head + i));
            }
            if (n > 0) {
                Slot.LONGS.setVolatile(b, HEAD, head + n);
            }
        } finally {
            unlock(b);
        }
        RuntimeException firstFailure = null;
        for (byte[] bytes : taken) {
            try {
                c.add(decode(bytes));
            } catch (RuntimeException e) {
                firstFailure = firstFailure == null ? e : firstFailure;
            }
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
        return taken.size();
    }

    /** Removes every item in one operation. */
    @Override
    public void clear() {
        ByteBuffer b = buffer();
        lockNow(b);
        try {
            Slot.LONGS.setVolatile(b, HEAD, (long) Slot.LONGS.getVolatile(b, TAIL));
        } finally {
            unlock(b);
        }
    }

    // ---- state

    /** The number of items now (a snapshot from two volatile reads). */
    @Override
    public int size() {
        ByteBuffer b = buffer();
        long head = (long) Slot.LONGS.getVolatile(b, HEAD);
        long tail = (long) Slot.LONGS.getVolatile(b, TAIL); // read second: never behind head
        return (int) Math.max(0, Math.min(capacity, tail - head));
    }

    /** The number of items that could be added now without waiting (a snapshot). */
    @Override
    public int remainingCapacity() {
        return capacity - size();
    }

    /** How many times, since creation, a process took the queue over from one that died inside an operation. */
    public long recoveries() {
        return OwnerWord.recoveries(buffer(), LOCK);
    }

    /**
     * A snapshot of the items in queue order, taken in one operation; removing through it is not supported.
     * Changes made after it was taken are not reflected.
     */
    @Override
    public Iterator<E> iterator() {
        List<byte[]> copies = new ArrayList<>();
        ByteBuffer b = buffer();
        lockNow(b);
        try {
            long tail = (long) Slot.LONGS.getVolatile(b, TAIL);
            for (long i = (long) Slot.LONGS.getVolatile(b, HEAD); i != tail; i++) {
                copies.add(read(b, i));
            }
        } finally {
            unlock(b);
        }
        List<E> items = new ArrayList<>(copies.size());
        for (byte[] bytes : copies) {
            items.add(decode(bytes));
        }
        return java.util.Collections.unmodifiableList(items).iterator();
    }

    // ---- the owner word

    private boolean lock(ByteBuffer b, long deadline, boolean interruptible) throws InterruptedException {
        if (!interruptible) {
            lockNow(b);
            return true;
        }
        return word.lock(b, deadline);
    }

    /** Takes the word for a non-waiting operation: a live holder keeps it for a copy's time, not seconds. */
    private void lockNow(ByteBuffer b) {
        word.lockWithin(b, LOCK_PATIENCE_MILLIS, "queue '" + name() + "'");
    }

    private void unlock(ByteBuffer b) {
        word.unlock(b, "queue '" + name() + "'");
    }

    /** One step of waiting for the other side; false once {@code deadline} has passed. */
    private static boolean waitStep(Backoff backoff, long deadline, boolean interruptible)
            throws InterruptedException {
        if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0) {
            return false;
        }
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException();
        }
        backoff.idle();
        return true;
    }

    /** A {@code System.nanoTime()} deadline; {@code Long.MAX_VALUE} (none) for a timeout of centuries. */
    private static long deadline(long timeout, TimeUnit unit) {
        long nanos = unit.toNanos(timeout);
        return nanos >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, nanos);
    }

    private static void reached(Stage stage) {
        Consumer<Stage> hook = testHook;
        if (hook != null) {
            hook.accept(stage);
        }
    }

    // ---- slots and encoding

    private int slotOffset(long index) {
        return SLOTS + (int) (index % capacity) * stride;
    }

    /** Copies the item at {@code index} out of its slot; the caller holds the word. */
    private byte[] read(ByteBuffer b, long index) {
        int slot = slotOffset(index);
        int length = b.getInt(slot);
        if (length < 0 || length > maxItemBytes) {
            throw new SegmentFormatException("queue '" + name() + "' is corrupt: item " + index + " claims "
                    + length + " bytes in a slot of " + maxItemBytes);
        }
        byte[] bytes = new byte[length];
        b.get(slot + LENGTH_BYTES, bytes);
        return bytes;
    }

    private byte[] encode(E e) {
        buffer();
        return items.encode(e, name());
    }

    @SuppressWarnings("unchecked")
    private E decode(byte[] bytes) {
        return bytes == null ? null : (E) items.decode(bytes, name());
    }

    // ---- the handle

    private ByteBuffer buffer() {
        return storage.buffer();
    }

    @Override
    public boolean isClosed() {
        return storage.isClosed();
    }

    /**
     * Closes this handle; idempotent. The creator's close also unlinks the segment: processes attached keep
     * the queue they have, no process can open it any more. Items still in it are not delivered to anyone
     * who was not attached.
     */
    @Override
    public void close() {
        storage.close();
    }

    /** The handle that travels in this one's place: what serializing this writes, too. */
    @Override
    public Portable portable() {
        return storage.handle(items.allowList);
    }

    @Serial
    private Object writeReplace() {
        return portable();
    }

    @Override
    public String toString() {
        String state = storage.isClosed() ? "" : "size=" + size() + ", ";
        return "SharedQueue[" + state + "capacity=" + capacity + ", maxItemBytes=" + maxItemBytes + ", "
                + storage.describe() + "]";
    }

    /** Options of a new queue; immutable configuration, one builder per queue. */
    public static final class Builder<E> {
        private int capacity = -1;
        private int maxItemBytes = DEFAULT_MAX_ITEM_BYTES;
        private String name;
        private AllowList allowList = AllowList.defaults();

        private Builder() {
        }

        /** The most items the queue holds (required, at least 1). */
        public Builder<E> capacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
            }
            this.capacity = capacity;
            return this;
        }

        /** The size limit of one encoded item (default {@value SharedQueue#DEFAULT_MAX_ITEM_BYTES}). */
        public Builder<E> maxItemBytes(int maxItemBytes) {
            if (maxItemBytes < 1 || maxItemBytes > Integer.MAX_VALUE - LENGTH_BYTES) {
                throw new IllegalArgumentException("maxItemBytes must be at least 1, not " + maxItemBytes);
            }
            this.maxItemBytes = maxItemBytes;
            return this;
        }

        /** A segment name, so that other processes can {@link SharedQueue#open(String)} it. */
        public Builder<E> name(String name) {
            this.name = Segments.checkName(name);
            return this;
        }

        /** Application classes items may hold (in addition to the defaults), as their binary names. */
        public Builder<E> allowClasses(String... classNames) {
            allowList = allowList.allowClasses(List.of(classNames));
            return this;
        }

        /** Application packages (with subpackages) whose classes items may hold. */
        public Builder<E> allowPackages(String... packageNames) {
            allowList = allowList.allowPackages(List.of(packageNames));
            return this;
        }

        /** Creates the queue, owned by this process. */
        public SharedQueue<E> build() {
            if (capacity < 0) {
                throw new IllegalStateException("set the queue's capacity() first");
            }
            long stride = (long) maxItemBytes + LENGTH_BYTES;
            long payload = LAYOUT + stride * capacity;
            if (payload > Segments.MAX_PAYLOAD) {
                throw new IllegalArgumentException(capacity + " slots of " + maxItemBytes + " bytes need " + payload
                        + " bytes, more than one segment's " + Segments.MAX_PAYLOAD);
            }
            return new SharedQueue<>(ArrayStorage.create(name, SegmentKind.QUEUE, Handle.Kind.QUEUE, capacity,
                    payload), allowList);
        }
    }
}
