package dev.procshare.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.JvmResult;
import dev.procshare.testkit.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's quick starts are the compiled {@link QuickStart}, and they run. */
@ExtendWith(NoLeaks.class)
class ReadmeSnippetsTest {
    private static final Path SOURCE = Path.of("src/main/java/dev/procshare/examples/QuickStart.java");

    static List<String[]> snippets() throws Exception {
        String source = Files.readString(SOURCE);
        Matcher m = Pattern.compile("(?s)// snippet:begin (\\S+)\\n(.*?)\\n\\s*// snippet:end \\1").matcher(source);
        List<String[]> out = new ArrayList<>();
        while (m.find()) {
            String body = m.group(2);
            String[] lines = body.split("\\n");
            int indent = Integer.MAX_VALUE;
            for (String l : lines) {
                if (!l.isBlank()) {
                    indent = Math.min(indent, l.length() - l.stripLeading().length());
                }
            }
            StringBuilder dedented = new StringBuilder();
            for (String l : lines) {
                dedented.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
            }
            out.add(new String[] {m.group(1), dedented.toString()});
        }
        return out;
    }

    @Test
    void readmeShowsTheCompiledSnippetsVerbatim() throws Exception {
        List<String[]> snippets = snippets();
        assertEquals(3, snippets.size());
        for (Path readme : List.of(Path.of("../README.md"), Path.of("../README.zh-CN.md"))) {
            String text = Files.readString(readme);
            for (String[] s : snippets) {
                assertTrue(text.contains(s[1]), readme + " lacks the current '" + s[0] + "' snippet:\n" + s[1]);
            }
        }
    }

    @Test
    void theSnippetsRun() {
        JvmResult r = ChildJvm.main(QuickStart.class).timeout(Duration.ofSeconds(120)).run();
        assertTrue(r.stdout().contains("shared memory: 11"), r.stdout());
        assertTrue(r.stdout().contains("[1, 4, 9, 16] 4 PoolWorker-"), r.stdout());
        assertTrue(r.stdout().contains("processes and pools: [1, 4, 9, 16]"), r.stdout());
        assertTrue(r.stdout().contains("4 4 main : Data is : process modify"), r.stdout());
    }
}
