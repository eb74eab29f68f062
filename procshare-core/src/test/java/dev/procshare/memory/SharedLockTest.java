package dev.procshare.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.NoLeaks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class SharedLockTest {

    @Test
    void lockGuardsNonAtomicUpdateOfTwoValuesAcrossThreeJvms() {
        int perJvm = 20_000;
        try (SharedLock lock = SharedLock.create();
             SharedLong a = SharedLong.create(0);
             SharedLong b = SharedLong.create(0)) {
            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    children.add(ChildJvm.task(() -> {
                        for (int n = 0; n < perJvm; n++) {
                            lock.lock();
                            try {
                                // Deliberately not atomic: without the lock, updates are lost.
                                long v = a.get();
                                a.set(v + 1);
                                b.set(b.get() + 2);
                            } finally {
                                lock.unlock();
                            }
                        }
                    }).start());
                }
                for (ChildJvm child : children) {
                    child.awaitExit().assertSuccess();
                }
            } finally {
                children.forEach(ChildJvm::close);
            }
            assertEquals(3L * perJvm, a.get());
            assertEquals(6L * perJvm, b.get());
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void killedHolderReleasesLockAndNextHolderIsTold() throws Exception {
        try (SharedLock lock = SharedLock.create();
             ChildJvm holder = ChildJvm.task(() -> {
                 lock.lock();
                 System.out.println("LOCKED");
                 System.out.flush();
                 Thread.sleep(120_000);
             }).start()) {
            holder.awaitOutput("LOCKED", Duration.ofSeconds(30));
            assertTrue(lock.isLocked());
            assertEquals(holder.pid(), lock.holderPid().orElseThrow());
            assertFalse(lock.tryLock(), "held by a live process");

            holder.kill();
            long start = System.nanoTime();
            assertTrue(lock.tryLock(5, TimeUnit.SECONDS), "lock of a dead holder was not recovered");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            try {
                assertTrue(lock.previousOwnerDied());
                assertEquals(1, lock.recoveries());
                assertTrue(tookMillis < 1_000, "recovery took " + tookMillis + " ms");
            } finally {
                lock.unlock();
            }
            assertFalse(lock.previousOwnerDied());
            lock.lock();
            assertFalse(lock.previousOwnerDied(), "a normal hand-over is not a recovery");
            lock.unlock();
        }
    }

    @Test
    void lockIsReentrantAndChecksItsHolder() throws Exception {
        try (SharedLock lock = SharedLock.create()) {
            lock.lock();
            lock.lock();
            assertTrue(lock.isHeldByCurrentThread());
            lock.unlock();
            assertTrue(lock.isLocked());
            Thread other = new Thread(() -> assertThrows(IllegalMonitorStateException.class, lock::unlock));
            other.start();
            other.join();
            boolean[] got = new boolean[1];
            Thread contender = new Thread(() -> got[0] = lock.tryLock());
            contender.start();
            contender.join();
            assertFalse(got[0], "another thread of this process must be excluded too");
            lock.unlock();
            assertFalse(lock.isLocked());
            assertThrows(IllegalMonitorStateException.class, lock::unlock);
        }
    }

    @Test
    void tryLockTimesOutWhileAnotherProcessHolds() throws Exception {
        try (SharedLock lock = SharedLock.create();
             SharedEvent release = SharedEvent.create();
             ChildJvm holder = ChildJvm.task(() -> {
                 lock.lock();
                 System.out.println("LOCKED");
                 System.out.flush();
                 release.await(60, TimeUnit.SECONDS);
                 lock.unlock();
             }).start()) {
            holder.awaitOutput("LOCKED", Duration.ofSeconds(30));
            long start = System.nanoTime();
            assertFalse(lock.tryLock(200, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200));
            release.set();
            assertTrue(lock.tryLock(30, TimeUnit.SECONDS));
            assertFalse(lock.previousOwnerDied());
            lock.unlock();
            holder.awaitExit().assertSuccess();
        }
    }

    @Test
    void robustSemaphoreReclaimsPermitsOfAKilledHolder() throws Exception {
        try (SharedSemaphore sem = SharedSemaphore.createRobust(2);
             ChildJvm holder = ChildJvm.task(() -> {
                 sem.acquire(2);
                 System.out.println("ACQUIRED");
                 System.out.flush();
                 Thread.sleep(120_000);
             }).start()) {
            holder.awaitOutput("ACQUIRED", Duration.ofSeconds(30));
            assertEquals(0, sem.availablePermits());
            assertFalse(sem.tryAcquire());
            holder.kill();
            assertTrue(sem.tryAcquire(5, TimeUnit.SECONDS), "permits of a dead holder were not reclaimed");
            assertEquals(2, sem.reclaimedPermits());
            assertEquals(1, sem.availablePermits());
            sem.release();
            assertEquals(2, sem.availablePermits());
        }
    }

    @Test
    void plainSemaphoreSignalsFromAnotherProcessAndRobustOneRefusesForeignRelease() throws Exception {
        try (SharedSemaphore items = SharedSemaphore.create(0);
             SharedSemaphore pool = SharedSemaphore.createRobust(1)) {
            ChildJvm.task(() -> items.release(3)).run();
            assertTrue(items.tryAcquire(3, 5, TimeUnit.SECONDS), "a producer's releases are items to take");
            assertEquals(0, items.availablePermits());

            IllegalStateException e = assertThrows(IllegalStateException.class, pool::release);
            assertTrue(e.getMessage().contains("holds 0"), e.getMessage());
            pool.acquire();
            ChildJvm.task(() -> assertThrows(IllegalStateException.class, pool::release)).run();
            pool.release();
            assertEquals(1, pool.availablePermits());
        }
    }

    @Test
    void closingAHeldLockReleasesItForOtherProcesses() throws Exception {
        try (SharedLock lock = SharedLock.create()) {
            SharedLock copy = roundTrip(lock);
            copy.lock();
            copy.lock();
            copy.close();
            assertFalse(lock.isLocked(), "closing the holder's handle released the lock");
        }
    }

    private static SharedLock roundTrip(SharedLock lock) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(lock);
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            return (SharedLock) in.readObject();
        }
    }

    @Test
    void boundedSemaphoreRefusesExtraRelease() throws Exception {
        try (SharedSemaphore sem = SharedSemaphore.createBounded(1)) {
            assertThrows(IllegalStateException.class, sem::release);
            sem.acquire();
            assertFalse(sem.tryAcquire(10, TimeUnit.MILLISECONDS));
            sem.release();
            assertEquals(1, sem.availablePermits());
            assertEquals(1, sem.drainPermits());
            assertEquals(0, sem.availablePermits());
        }
    }

    @Test
    void semaphoreCountsExactlyUnderContentionFromThreeJvms() {
        try (SharedSemaphore sem = SharedSemaphore.create(1);
             SharedLong inside = SharedLong.create(0);
             SharedLong maxInside = SharedLong.create(0)) {
            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    children.add(ChildJvm.task(() -> {
                        for (int n = 0; n < 5_000; n++) {
                            sem.acquire();
                            long now = inside.incrementAndGet();
                            maxInside.accumulateAndGet(now, Math::max);
                            inside.decrementAndGet();
                            sem.release();
                        }
                    }).start());
                }
                for (ChildJvm child : children) {
                    child.awaitExit().assertSuccess();
                }
            } finally {
                children.forEach(ChildJvm::close);
            }
            assertEquals(1, maxInside.get());
            assertEquals(1, sem.availablePermits());
        }
    }
}
