package dev.procshare.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.NoLeaks;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(NoLeaks.class)
class SharedMemoryTest {

    @Test
    void segmentIsSharedByNameAndUnlinkedWhenOwnerCloses() {
        Path file;
        try (SharedMemory shm = SharedMemory.create(1024)) {
            file = shm.file();
            assertTrue(Files.exists(file));
            shm.buffer().putLong(8, 0x1234);
            String name = shm.name();
            ChildJvm.task(() -> {
                try (SharedMemory same = SharedMemory.open(name)) {
                    assertFalse(same.isOwner());
                    assertEquals(1024, same.size());
                    assertEquals(0x1234, same.buffer().getLong(8));
                    same.buffer().putLong(16, 99);
                }
            }).run();
            assertEquals(99, shm.buffer().getLong(16));
            assertTrue(Files.exists(file), "a non-owner's close keeps the segment");
            try (SharedMemory sameJvm = SharedMemory.open(name);
                 SharedLongArray array = SharedLongArray.create(2);
                 SharedLongArray arrayAgain = SharedLongArray.open(array.name())) {
                assertFalse(sameJvm.isOwner(), "opened, not created, even in the creating JVM");
                sameJvm.close();
                arrayAgain.close();
                assertTrue(Files.exists(file), "closing a handle opened in the creating JVM keeps the segment");
                array.set(1, 5);
                try (SharedLongArray third = SharedLongArray.open(array.name())) {
                    assertEquals(5, third.get(1), "and the array's name");
                }
            }
        }
        assertFalse(Files.exists(file), "the owner's close unlinks");
    }

    @Test
    void missingSegmentFailsClearly() {
        SegmentNotFoundException e = assertThrows(SegmentNotFoundException.class,
                () -> SharedMemory.open("no-such-segment"));
        assertTrue(e.getMessage().contains("no-such-segment"), e.getMessage());
    }

    @Test
    void badNamesAndSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(-5));
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(SharedMemory.MAX_SIZE + 1));
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.create("../etc/passwd", 8));
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.create("", 8));
    }

    @Test
    void duplicateNameIsRefused() {
        try (SharedMemory shm = SharedMemory.create("dup-test-" + ProcessHandle.current().pid(), 8)) {
            SharedMemoryException e = assertThrows(SharedMemoryException.class,
                    () -> SharedMemory.create(shm.name(), 8));
            assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        }
    }

    @Test
    void useAfterCloseThrowsAndCloseIsIdempotent() {
        SharedLong value = SharedLong.create(3);
        SharedDoubleArray array = SharedDoubleArray.create(4);
        SharedMemory shm = SharedMemory.create(16);
        value.close();
        value.close();
        array.close();
        shm.close();
        shm.close();
        assertThrows(SegmentClosedException.class, value::get);
        assertThrows(SegmentClosedException.class, () -> value.set(1));
        assertThrows(SegmentClosedException.class, () -> array.get(0));
        assertThrows(SegmentClosedException.class, shm::buffer);
        assertTrue(value.isClosed());
        assertTrue(value.toString().contains("closed"), value.toString());
    }

    @Test
    void truncatedOrForeignFilesAreRefusedBeforeMapping(@TempDir Path dir) throws Exception {
        try (SharedMemory shm = SharedMemory.builder().directory(dir).name("victim").size(4096).create()) {
            try (FileChannel ch = FileChannel.open(shm.file(), StandardOpenOption.WRITE)) {
                ch.truncate(1000);
            }
            SegmentFormatException truncated = assertThrows(SegmentFormatException.class,
                    () -> SharedMemory.builder().directory(dir).name("victim").open());
            assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        }
        Files.write(dir.resolve("procshare-foreign"), new byte[512]);
        SegmentFormatException foreign = assertThrows(SegmentFormatException.class,
                () -> SharedMemory.builder().directory(dir).name("foreign").open());
        assertTrue(foreign.getMessage().contains("not a procshare segment"), foreign.getMessage());
        Files.write(dir.resolve("procshare-tiny"), new byte[3]);
        assertThrows(SegmentFormatException.class, () -> SharedMemory.builder().directory(dir).name("tiny").open());
    }

    @Test
    void handleOfWrongTypeIsRefused() throws Exception {
        try (SharedLong value = SharedLong.create(1)) {
            // The same slot described as another type, as a forged or stale descriptor would.
            Handle handle = value.handle();
            Handle asLock = new Handle(handle.directory(), handle.segment(), Handle.Kind.LOCK, handle.offset());
            Exception e = assertThrows(Exception.class, () -> deserialize(serializeRaw(asLock)));
            assertTrue(e.getMessage().contains("SharedLong"), e.getMessage());
        }
    }

    @Test
    void tenThousandCountersShareAFewSegments() {
        Set<String> before = NoLeaks.segmentFiles();
        List<SharedLong> counters = new ArrayList<>();
        try {
            for (int i = 0; i < 10_000; i++) {
                counters.add(SharedLong.create(i));
            }
            int files = NoLeaks.segmentFiles().size() - before.size();
            assertTrue(files <= 3, files + " files for 10 000 counters");
            assertEquals(9_999, counters.get(9_999).get());
        } finally {
            counters.forEach(SharedLong::close);
        }
        assertEquals(before, NoLeaks.segmentFiles(), "closing every counter removes the slabs");
    }

    @Test
    void handlesSurviveSerializationWithinOneProcess() throws Exception {
        try (SharedLong value = SharedLong.create(5)) {
            SharedLong copy = (SharedLong) deserialize(serialize(value));
            try {
                copy.addAndGet(10);
                assertEquals(15, value.get());
            } finally {
                copy.close();
            }
            assertEquals(15, value.get(), "closing a non-owner handle leaves the value alone");
        }
    }

    @Test
    void staleSegmentsOfAKilledOwnerAreCleanedAndLiveOnesKept(@TempDir Path dir) throws Exception {
        String dirName = dir.toString();
        try (SharedMemory mine = SharedMemory.builder().directory(dir).name("live").size(64).create();
             ChildJvm child = ChildJvm.task(() -> {
                 SharedMemory.builder().directory(Path.of(dirName)).name("orphan").size(64).create();
                 SharedMemory.builder().directory(Path.of(dirName)).name("kept").size(64).persistent(true).create();
                 System.out.println("CREATED");
                 System.out.flush();
                 Thread.sleep(120_000);
             }).start()) {
            child.awaitOutput("CREATED", Duration.ofSeconds(30));
            assertEquals(List.of(), SharedMemory.cleanStale(dir), "owner alive: nothing is stale");
            child.kill();
            Files.write(dir.resolve(".procshare-half.999999999.abc.tmp"), new byte[10]);
            Files.write(dir.resolve(".procshare-x.12.notHex.tmp"), new byte[10]); // not a creation's file: kept
            List<String> removed = SharedMemory.cleanStale(dir);
            assertTrue(removed.contains("orphan"), removed.toString());
            assertTrue(removed.contains(".procshare-half.999999999.abc.tmp"), removed.toString());
            assertFalse(removed.contains("live"));
            assertFalse(removed.contains(".procshare-x.12.notHex.tmp"), removed.toString());
            assertTrue(Files.exists(mine.file()));
            assertTrue(Files.exists(dir.resolve("procshare-kept")), "persistent segments are kept");
            try (SharedMemory kept = SharedMemory.builder().directory(dir).name("kept").open()) {
                assertEquals(64, kept.size());
                kept.unlink();
            }
        }
    }

    @Test
    void persistentSegmentOnDiskOutlivesItsCreator(@TempDir Path dir) {
        String dirName = dir.toString();
        ChildJvm.task(() -> {
            try (SharedMemory shm = SharedMemory.builder().directory(Path.of(dirName)).name("state").size(8)
                    .persistent(true).create()) {
                shm.buffer().putLong(0, 77);
            }
        }).run();
        try (SharedMemory shm = SharedMemory.builder().directory(dir).name("state").open()) {
            assertEquals(77, shm.buffer().getLong(0));
            shm.unlink();
        }
        assertFalse(Files.exists(dir.resolve("procshare-state")));
    }

    @Test
    void segmentFilesAreOwnerOnly() throws Exception {
        try (SharedMemory shm = SharedMemory.create(8)) {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(shm.file())));
        }
    }

    private static byte[] serialize(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static Object deserialize(byte[] bytes) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }

    private static byte[] serializeRaw(Handle handle) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(handle);
        }
        return bytes.toByteArray();
    }
}
