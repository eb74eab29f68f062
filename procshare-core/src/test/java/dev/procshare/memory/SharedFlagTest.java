package dev.procshare.memory;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.NoLeaks;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The seed's first pattern: {@code multiprocessing.Value(c_bool, False)} set by a child process. */
@ExtendWith(NoLeaks.class)
class SharedFlagTest {

    @Test
    void parentSeesChildWriteToSharedFlag() {
        try (SharedBoolean done = SharedBoolean.create(false)) {
            ChildJvm.task(() -> done.set(true)).run();
            assertTrue(done.get());
        }
    }

    @Test
    void childSeesParentWriteToSharedFlag() throws Exception {
        try (SharedBoolean go = SharedBoolean.create(false);
             SharedEvent childSawIt = SharedEvent.create();
             ChildJvm child = ChildJvm.task(() -> {
                 while (!go.get()) {
                     Thread.onSpinWait();
                 }
                 childSawIt.set();
             }).start()) {
            assertFalse(childSawIt.await(200, TimeUnit.MILLISECONDS), "child must wait for the flag");
            go.set(true);
            assertTrue(childSawIt.await(30, TimeUnit.SECONDS), "child never saw the flag");
            child.awaitExit().assertSuccess();
        }
    }

    @Test
    void childWaitsOnEventSetByParent() throws Exception {
        try (SharedEvent start = SharedEvent.create();
             SharedLong seen = SharedLong.create(0);
             ChildJvm child = ChildJvm.task(() -> {
                 if (!start.await(30, TimeUnit.SECONDS)) {
                     throw new AssertionError("event never set");
                 }
                 seen.set(start.isSet() ? 1 : -1);
             }).start()) {
            Thread.sleep(100);
            start.set();
            child.awaitExit(Duration.ofSeconds(60)).assertSuccess();
            org.junit.jupiter.api.Assertions.assertEquals(1, seen.get());
        }
    }
}
