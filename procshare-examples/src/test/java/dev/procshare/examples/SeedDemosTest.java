package dev.procshare.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.JvmResult;
import dev.procshare.testkit.NoLeaks;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The seed's three demos, each in a fresh JVM, with their outcomes checked. */
@ExtendWith(NoLeaks.class)
class SeedDemosTest {

    @Test
    void seedOneChildSetsTheFlagAndParentSeesIt() {
        JvmResult result = ChildJvm.main(Demo.class, "1").timeout(Duration.ofSeconds(90)).run();
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stdout().contains("OK: the parent saw the child's write"), result.stdout());
        assertTrue(result.stdout().contains("[ttt] pid"), result.stdout());
        assertTrue(result.stdout().contains("daemon true"), result.stdout());
        assertTrue(result.stdout().contains("tasks done = 3"), result.stdout());
        assertTrue(result.stdout().contains("ran in PoolWorker-"), result.stdout());
    }

    @Test
    void seedTwoPoolOfFourReachesFourInNamespaceValueAndList() {
        JvmResult result = ChildJvm.main(Demo.class, "2").timeout(Duration.ofSeconds(90)).run();
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stdout().contains("[main] namespace: MyClass(value=4)"), result.stdout());
        assertTrue(result.stdout().contains("managed value: 4, managed list: [MyClass(value=4)]"), result.stdout());
        assertTrue(result.stdout().contains("my_function ran in PoolWorker-"), result.stdout());
    }

    @Test
    void seedThreeViewerSeesTheModifierAndMainChanges() {
        JvmResult result = ChildJvm.main(Demo.class, "3", "--fast").timeout(Duration.ofSeconds(90)).run();
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stdout().contains("the viewer saw: [init, process modify, main]"), result.stdout());
        assertTrue(result.stdout().contains("process 2 : modify var"), result.stdout());
    }
}
