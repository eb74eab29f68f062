package dev.procshare.memory;

import dev.procshare.codec.AllowList;
import dev.procshare.codec.Portable;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What travels when a shared object is serialized: the directory and name of its segment, what it is and
 * where. Deserializing it attaches to the same memory in the receiving process; nothing else is copied.
 * Every shared-memory type writes itself as one of these ({@code writeReplace}).
 */
final class Handle implements Serializable, Portable {
    @Serial
    private static final long serialVersionUID = 1L;

    static {
        Portable.register(Handle.class, new Portable.Factory() { // not a lambda: a fresh JVM's first costs ms
            @Override
            public Object rebuild(List<?> values) throws InvalidObjectException {
                if ((values.size() != 4 && values.size() != 6) || !(values.get(0) instanceof String directory)
                        || !(values.get(1) instanceof String segment) || !(values.get(2) instanceof String kind)
                        || !(values.get(3) instanceof Long offset)) {
                    throw new InvalidObjectException("not a shared-memory handle: " + values);
                }
                AllowList allowList = null;
                if (values.size() == 6) {
                    allowList = AllowList.defaults().allowClasses(strings(values.get(4)))
                            .allowPackages(strings(values.get(5)));
                }
                Kind k;
                try {
                    k = Kind.valueOf(kind);
                } catch (IllegalArgumentException e) {
                    throw new InvalidObjectException("unknown kind of shared-memory handle: " + kind);
                }
                try {
                    return new Handle(Path.of(directory), segment, k, offset, allowList).readResolve();
                } catch (java.io.ObjectStreamException e) {
                    throw new InvalidObjectException(e.getMessage());
                }
            }
        });
    }

    enum Kind { RAW, BOOLEAN, INT, LONG, DOUBLE, LOCK, SEMAPHORE, EVENT, INT_ARRAY, LONG_ARRAY, DOUBLE_ARRAY, BYTE_ARRAY,
        SHAREABLE_LIST, RECORD, QUEUE }

    private final String directory;
    private final String segment;
    private final Kind kind;
    private final long offset;
    /** What the receiver may decode from the segment (a queue's items); null for the kinds that hold no objects. */
    private final ArrayList<String> allowedClasses;
    private final ArrayList<String> allowedPackages;

    Handle(Path directory, String segment, Kind kind, long offset) {
        this(directory, segment, kind, offset, null);
    }

    Handle(Path directory, String segment, Kind kind, long offset, AllowList allowList) {
        this.directory = directory.toString();
        this.segment = segment;
        this.kind = kind;
        this.offset = offset;
        this.allowedClasses = allowList == null ? null : new ArrayList<>(allowList.allowedClasses());
        this.allowedPackages = allowList == null ? null : new ArrayList<>(allowList.allowedPackages());
    }

    private static List<String> strings(Object value) throws InvalidObjectException {
        if (!(value instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
            throw new InvalidObjectException("not a list of class or package names: " + value);
        }
        return list.stream().map(String.class::cast).toList();
    }

    /** The allow-list this handle carries; the defaults if it carries none. */
    AllowList allowList() {
        AllowList list = AllowList.defaults();
        return allowedClasses == null ? list : list.allowClasses(allowedClasses).allowPackages(allowedPackages);
    }

    Path directory() {
        return Path.of(directory);
    }

    String segment() {
        return segment;
    }

    long offset() {
        return offset;
    }

    @Serial
    private void readObject(ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (directory == null || segment == null || kind == null) {
            throw new InvalidObjectException("incomplete shared-memory handle");
        }
    }

    /** Attaches; a missing or mismatched segment fails deserialization with the reason. */
    @Serial
    private Object readResolve() throws ObjectStreamException {
        return switch (kind) {
            case RAW -> SharedMemory.attach(this);
            case BOOLEAN -> new SharedBoolean(Slot.attach(this, SlotType.BOOLEAN));
            case INT -> new SharedInt(Slot.attach(this, SlotType.INT));
            case LONG -> new SharedLong(Slot.attach(this, SlotType.LONG));
            case DOUBLE -> new SharedDouble(Slot.attach(this, SlotType.DOUBLE));
            case LOCK -> new SharedLock(Slot.attach(this, SlotType.LOCK));
            case SEMAPHORE -> new SharedSemaphore(Slot.attach(this, SlotType.SEMAPHORE));
            case EVENT -> new SharedEvent(Slot.attach(this, SlotType.EVENT));
            case INT_ARRAY -> SharedIntArray.open(directory(), segment);
            case LONG_ARRAY -> SharedLongArray.open(directory(), segment);
            case DOUBLE_ARRAY -> SharedDoubleArray.open(directory(), segment);
            case BYTE_ARRAY -> SharedByteArray.open(directory(), segment);
            case SHAREABLE_LIST -> ShareableList.open(directory(), segment);
            case RECORD -> SharedRecord.attach(directory(), segment);
            case QUEUE -> SharedQueue.open(directory(), segment, allowList());
        };
    }

    @Override
    public List<Object> portableValues() {
        ArrayList<Object> values = new ArrayList<>(List.of(directory, segment, kind.name(), offset));
        if (allowedClasses != null) {
            values.add(allowedClasses);
            values.add(allowedPackages);
        }
        return values;
    }

    @Override
    public String toString() {
        return kind + "@" + directory + "/" + segment + (offset > 0 ? "+" + offset : "");
    }
}
