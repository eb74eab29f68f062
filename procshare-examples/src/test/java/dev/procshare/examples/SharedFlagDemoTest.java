package dev.procshare.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.JvmResult;
import dev.procshare.testkit.NoLeaks;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class SharedFlagDemoTest {

    @Test
    void demoChildSetsTheFlagAndParentSeesIt() {
        JvmResult result = ChildJvm.main(Demo.class).timeout(Duration.ofSeconds(90)).run();
        assertTrue(result.stdout().contains("OK: the parent saw the child's write"), result.stdout());
        assertTrue(result.stdout().contains("[ttt] pid"), result.stdout());
        assertTrue(result.stdout().contains("daemon true"), result.stdout());
        assertTrue(result.stdout().contains("tasks done = 3"), result.stdout());
        assertTrue(result.stdout().contains("OK: 4 increments, none lost"), result.stdout());
        assertTrue(result.stdout().contains("ran in PoolWorker-"), result.stdout());
    }
}
