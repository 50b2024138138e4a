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
 * The commands of the README and docs/*.md, run as written against `vigil demo` (its address put in for
 * localhost:8080, the jar for ./vigil): each must succeed, and a list it promises (the order's case, its events)
 * must not come back empty. A reader copies these first; an example that returns [] or exits 2 is a broken promise.
 * Two documents are not the demo's: the benchmarks' commands are measurements with servers of their own (re-run
 * from outside, by hand), and the batch lab's talk to the lab's reference service.
 */
class DocumentedCommandsIT {

    /** Commands that start something long-running: the README shows them, this test has its own demo running. */
    private static final Pattern LONG_RUNNING = Pattern.compile("^\\./vigil (demo|serve|test|build|screenshots)\\b.*");

    @TempDir
    Path dir;

    /** The documents whose commands are not run against the demo, and why. */
    private static final java.util.Map<String, String> NOT_THE_DEMOS = java.util.Map.of(
            "BENCHMARKS.md", "measurements with servers and ports of their own",
            "LAB.md", "commands against the lab's reference service, not the demo");

    @Test
    void everyCommandOfTheReadmeAndTheDocsRunsAsWrittenAgainstTheDemo() throws Exception {
        List<String> commands = new ArrayList<>(commands(Files.readString(Path.of("..", "README.md"))));
        assertThat(commands).as("the README's commands against a server").hasSizeGreaterThanOrEqualTo(7);
        try (var docs = Files.list(Path.of("..", "docs"))) {
            for (Path doc : docs.filter(d -> d.toString().endsWith(".md")).sorted().toList()) {
                if (!NOT_THE_DEMOS.containsKey(doc.getFileName().toString())) {
                    commands.addAll(commands(Files.readString(doc)));
                }
            }
        }
        assertThat(commands).as("the docs' commands too").anyMatch(c -> c.contains("/api/v1/silences"))
                .anyMatch(c -> c.contains("--unit logistics"));
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
     * The commands of a document's code blocks that talk to a server (curl, ./vigil report): one per line, with the
     * lines that continue it (after a trailing backslash, or inside an open quote), a here-document with the line
     * that opens it; comments after a command stay (bash ignores them).
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
                    current = null;
                }
                continue;
            }
            if (current != null) {
                current.append('\n').append(line);
                if (!continues(current)) {
                    out.add(current.toString());
                    current = null;
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
            } else if (continues(t)) {
                current = new StringBuilder(t);
            } else {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * Whether a command goes on to the next line: a trailing backslash, or a single quote still open (quotes in a
     * comment, "a contract's month", do not count).
     */
    private static boolean continues(CharSequence command) {
        String c = command.toString();
        boolean quoted = false;
        boolean comment = false;
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (comment) {
                comment = ch != '\n';
            } else if (ch == '\'') {
                quoted = !quoted;
            } else if (ch == '#' && !quoted && (i == 0 || Character.isWhitespace(c.charAt(i - 1)))) {
                comment = true;
            }
        }
        return quoted || c.endsWith("\\");
    }
}
