package dev.procshare.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.process.JvmProcess;
import dev.procshare.testkit.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The side-by-side run works end to end in its quick mode (no figures are judged here). */
@ExtendWith(NoLeaks.class)
class SideBySideSmokeTest {

    @AfterAll
    static void stopWarmJvms() {
        JvmProcess.keepWarm(0);
    }

    @Test
    void quickSideBySideRunWritesATable(@TempDir Path out) throws Exception {
        System.setProperty("procshare.bench.out", out.toString());
        try {
            SideBySide.main(new String[] {"--quick"});
        } finally {
            System.clearProperty("procshare.bench.out");
        }
        String report = Files.readString(out.resolve("shared-memory.md"));
        assertTrue(report.contains("| increments/s, 1 process"), report);
        assertTrue(report.contains("bulk write"), report);
        assertTrue(Files.readString(out.resolve("processes.md")).contains("start + join"));
        assertTrue(Files.readString(out.resolve("manager.md")).contains("| namespace get, median |"));
        assertTrue(Files.readString(out.resolve("manager.svg")).startsWith("<svg"));
        assertTrue(Files.readString(out.resolve("programs.md")).contains("| its JVMs, empty (floor) |"));
    }
}
