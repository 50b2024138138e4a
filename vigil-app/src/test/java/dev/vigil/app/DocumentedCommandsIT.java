package dev.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's commands, run as written against `vigil demo` (its address put in for localhost:8080, the jar for
 * ./vigil): each must succeed, and a list it promises (the order's case, its events) must not come back empty.
 * A reader copies these first; an example that returns [] or exits 2 is a broken promise.
 */
class DocumentedCommandsIT {

    /** Commands that start something long-running: the README shows them, this test has its own demo running. */
    private static final Pattern LONG_RUNNING = Pattern.compile("^\\./vigil (demo|serve|test|build|screenshots)\\b.*");

    @TempDir
    Path dir;

    @Test
    void everyCommandOfTheReadmeRunsAsWrittenAgainstTheDemo() throws Exception {
        List<String> commands = commands(Files.readString(Path.of("..", "README.md")));
        assertThat(commands).as("the README's commands against a server").hasSizeGreaterThanOrEqualTo(7);
        try (VigilProcess vigil = VigilProcess.start("demo", "--port", "0", "--data", dir.resolve("data").toString(),
                "--rate", "100", "--backfill", "8d", "--no-scheduled-incidents")) {
            Http.await(vigil.url, "/api/v1/stats", Duration.ofSeconds(240), s -> !s.at("/pipeline/watermark").isNull()
                    && Instant.parse(s.at("/pipeline/watermark").asText()).isAfter(Instant.now().minusSeconds(60)));
            String base = vigil.url.toString().replaceAll("/$", "");
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            for (String written : commands) {
                String cmd = written.replace("http://localhost:8080", base)
                        .replaceFirst("^\\./vigil ", javaBin + " -jar " + VigilProcess.jar() + " ")
                        .replaceFirst("^curl ", "curl -sS --fail-with-body ");
                // A read right after a write may come before the event table has loaded it (docs/API.md, ingest
                // lag): a read is tried again until its answer holds what it promises, for up to a minute.
                if (written.startsWith("curl '")) {
                    Await.until(written + " to answer as the README promises", Duration.ofSeconds(60),
                            () -> java.util.Optional.ofNullable(run(cmd)), java.util.Optional::isEmpty);
                } else {
                    assertThat(run(cmd)).as(written).isNull();
                }
            }
            // The report was written where --out said, and is the contract's.
            assertThat(Files.readString(dir.resolve("parcelco.html"))).contains("parcelco-2026");
            assertThat(vigil.terminate()).isZero();
        }
    }

    /** Runs one command; what is wrong with its outcome, or null. */
    private String run(String cmd) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "did not finish within 120 s";
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            return "exited " + p.exitValue() + ":\n" + out;
        }
        if (out.startsWith("{")) {
            JsonNode answer = Http.JSON.readTree(out);
            for (String list : new String[] {"events", "cases"}) {
                if (answer.has(list) && answer.get(list).isEmpty()) {
                    return "returned no " + list + ": " + out;
                }
            }
        }
        return null;
    }

    /**
     * The commands of the README's code blocks that talk to a server (curl, ./vigil report): one per line, a
     * here-document with the line that opens it; comments after a command stay (bash ignores them).
     */
    static List<String> commands(String markdown) {
        List<String> out = new ArrayList<>();
        boolean inBlock = false;
        String heredocEnd = null;
        StringBuilder current = null;
        for (String line : markdown.split("\n", -1)) {
            if (line.startsWith("```")) {
                inBlock = !inBlock;
                continue;
            }
            if (!inBlock) {
                continue;
            }
            if (heredocEnd != null) {
                current.append('\n').append(line);
                if (line.equals(heredocEnd)) {
                    out.add(current.toString());
                    heredocEnd = null;
                }
                continue;
            }
            String t = line.strip();
            if (!(t.startsWith("curl ") || t.startsWith("./vigil ")) || LONG_RUNNING.matcher(t).matches()) {
                continue;
            }
            var here = Pattern.compile("<<-?'?([A-Za-z_]+)'?").matcher(t);
            if (here.find()) {
                heredocEnd = here.group(1);
                current = new StringBuilder(t);
            } else {
                out.add(t);
            }
        }
        return out;
    }
}
