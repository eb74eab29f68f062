package dev.procshare.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.testkit.NoLeaks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code python/procshare_shm.py}, run by a real {@code python3}, on segments this JVM made. */
@ExtendWith(NoLeaks.class)
@Timeout(120)
class PythonHelperTest {

    record Reading(long sensor, double celsius, boolean ok, char unit) {
    }

    @Test
    void pythonReadsArraysListsAndRecordsByNameAndLeavesThemInPlace() throws Exception {
        try (SharedLongArray longs = SharedLongArray.copyOf(new long[] {1, -2, Long.MAX_VALUE});
             SharedDoubleArray doubles = SharedDoubleArray.copyOf(new double[] {0.5, -1.25});
             ShareableList list = ShareableList.create(Arrays.asList(42, 2.5, "héllo", true, null,
                     new byte[] {(byte) 0xca, (byte) 0xfe}));
             SharedRecord<Reading> record = SharedRecord.create(Reading.class, new Reading(7, 21.5, true, 'C'))) {
            List<String> out = python(null, longs.name(), doubles.name(), list.name(), record.name());
            assertEquals(4, out.size(), String.join("\n", out));
            assertEquals("{\"name\": \"" + longs.name() + "\", \"value\": [1, -2, 9223372036854775807]}", out.get(0));
            assertEquals("{\"name\": \"" + doubles.name() + "\", \"value\": [0.5, -1.25]}", out.get(1));
            assertEquals("{\"name\": \"" + list.name() + "\", \"value\": [42, 2.5, \"h\\u00e9llo\", true, null,"
                    + " {\"bytes\": \"cafe\"}]}", out.get(2));
            assertEquals("{\"name\": \"" + record.name() + "\", \"value\": {\"__class__\": \""
                    + Reading.class.getName() + "\", \"celsius\": 21.5, \"ok\": true, \"sensor\": 7, \"unit\": \"C\"}}",
                    out.get(3));
            // Python's resource tracker would unlink a segment it attached to when Python exits: not these
            assertEquals(-2, longs.get(1));
            try (ShareableList again = ShareableList.open(list.name())) {
                assertEquals("héllo", again.get(2));
            }
        }
    }

    @Test
    void pythonWritesAnArrayElementThatJavaSees() throws Exception {
        try (SharedLongArray longs = SharedLongArray.create(4)) {
            python("import procshare_shm as ps\n"
                    + "view, seg = ps.open_array('" + longs.name() + "')\n"
                    + "view[2] = 1234567890123\n"
                    + "view.release(); seg.close()\n");
            assertEquals(1234567890123L, longs.get(2));
        }
    }

    @Test
    void aMissingSegmentOrTheWrongKindIsAClearPythonError() throws Exception {
        try (SharedLongArray longs = SharedLongArray.create(1)) {
            Result missing = run(List.of(helper().toString(), "no-such-segment"));
            assertEquals(2, missing.exit, missing.err);
            assertTrue(missing.err.contains("no procshare segment named 'no-such-segment'"), missing.err);
            Result wrong = run(List.of("-c", "import procshare_shm as ps\nps.read_list('" + longs.name() + "')"));
            assertTrue(wrong.err.contains("holds a long_array, not a shareable_list"), wrong.err);
        }
    }

    private static List<String> python(String script, String... names) throws Exception {
        List<String> args = new ArrayList<>();
        if (script != null) {
            args.add("-c");
            args.add(script);
        } else {
            args.add(helper().toString());
        }
        args.addAll(List.of(names));
        Result r = run(args);
        assertEquals(0, r.exit, "python failed: " + r.err);
        return r.out.isEmpty() ? List.of() : List.of(r.out.split("\n"));
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result run(List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of("python3"));
        command.addAll(args);
        Path errFile = Files.createTempFile("python", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(errFile.toFile());
            pb.environment().put("PYTHONPATH", helper().getParent().toString());
            Process p = pb.start();
            try {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python did not finish");
                return new Result(p.exitValue(), out, Files.readString(errFile));
            } finally {
                p.destroyForcibly();
            }
        } finally {
            Files.deleteIfExists(errFile);
        }
    }

    /** The helper, found from the module directory the tests run in. */
    private static Path helper() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("python/procshare_shm.py");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IOException("python/procshare_shm.py not found above " + Path.of("").toAbsolutePath());
    }
}
