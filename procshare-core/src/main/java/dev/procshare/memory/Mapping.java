package dev.procshare.memory;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * One memory mapping of a segment file, seen as a native-order {@link ByteBuffer}.
 *
 * <p>Java 17 cannot unmap a {@code MappedByteBuffer} safely: a thread still using it after an explicit unmap
 * would crash the JVM. So on Java 17 to 21 {@link #close()} only drops the reference and the garbage collector
 * unmaps later. From Java 22 the mapping is made through a shared {@code Arena} (found reflectively, the code
 * is compiled for 17): closing it unmaps at once, and a late access fails with an {@code IllegalStateException}
 * instead of a crash.
 */
final class Mapping {
    private static final ArenaMapper ARENA = ArenaMapper.find();

    private final ByteBuffer buffer;
    private final AutoCloseable arena;

    private Mapping(ByteBuffer buffer, AutoCloseable arena) {
        this.buffer = buffer.order(ByteOrder.nativeOrder());
        this.arena = arena;
    }

    /** Maps {@code size} bytes of the file open on {@code channel} (read-write); the channel may be closed after. */
    static Mapping map(FileChannel channel, long size) throws IOException {
        if (ARENA != null) {
            return ARENA.map(channel, size);
        }
        return new Mapping(channel.map(FileChannel.MapMode.READ_WRITE, 0, size), null);
    }

    ByteBuffer buffer() {
        return buffer;
    }

    void close() {
        if (arena != null) {
            try {
                arena.close();
            } catch (Exception e) {
                // An NIO operation of another thread still uses the memory; a shared arena is never unmapped
                // by the GC, so this mapping stays until the JVM exits. Rare, and bounded by what is open.
            }
        }
    }

    /** Java 22+ {@code FileChannel.map(mode, offset, size, Arena)}, bound reflectively. */
    private static final class ArenaMapper {
        private final MethodHandle ofShared;
        private final MethodHandle mapWithArena;
        private final MethodHandle asByteBuffer;

        private ArenaMapper(MethodHandle ofShared, MethodHandle mapWithArena, MethodHandle asByteBuffer) {
            this.ofShared = ofShared;
            this.mapWithArena = mapWithArena;
            this.asByteBuffer = asByteBuffer;
        }

        static ArenaMapper find() {
            if (Runtime.version().feature() < 22) {
                return null;
            }
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> arena = Class.forName("java.lang.foreign.Arena");
                Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
                return new ArenaMapper(
                        lookup.findStatic(arena, "ofShared", MethodType.methodType(arena)),
                        lookup.findVirtual(FileChannel.class, "map", MethodType.methodType(segment,
                                FileChannel.MapMode.class, long.class, long.class, arena)),
                        lookup.findVirtual(segment, "asByteBuffer", MethodType.methodType(ByteBuffer.class)));
            } catch (ReflectiveOperationException e) {
                return null;
            }
        }

        Mapping map(FileChannel channel, long size) throws IOException {
            AutoCloseable arena;
            try {
                arena = (AutoCloseable) ofShared.invoke();
            } catch (Throwable t) {
                throw new IllegalStateException("cannot create a shared arena", t);
            }
            try {
                Object segment = mapWithArena.invoke(channel, FileChannel.MapMode.READ_WRITE, 0L, size, arena);
                return new Mapping((ByteBuffer) asByteBuffer.invoke(segment), arena);
            } catch (IOException | RuntimeException | Error e) {
                closeQuietly(arena);
                throw e;
            } catch (Throwable t) {
                closeQuietly(arena);
                throw new IllegalStateException("cannot map " + size + " bytes", t);
            }
        }

        private static void closeQuietly(AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // nothing was mapped
            }
        }
    }
}
