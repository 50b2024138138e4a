package dev.vigil.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real {@code vigil} jar running as a child process, as a user would start it. */
final class VigilProcess implements AutoCloseable {

    private static final Pattern URL = Pattern.compile("(?:listening on|demo on) (http://[^:\\s]+:(\\d+))");

    final Process process;
    final URI url;
    /** What the process has printed (stdout and stderr); a reader thread appends while tests read. */
    private final List<String> output;

    private VigilProcess(Process process, URI url, List<String> output) {
        this.process = process;
        this.url = url;
        this.output = output;
    }

    /**
     * A copy of everything the process has printed so far. A copy, because the reader thread keeps appending:
     * iterating the live list (an assertion, a join) would race it and fail with a ConcurrentModificationException.
     */
    List<String> output() {
        return List.copyOf(output);
    }

    static Path jar() {
        String jar = System.getProperty("vigil.jar");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("vigil.jar not built (system property vigil.jar=" + jar + "); run through 'mvn verify'");
        }
        return Path.of(jar);
    }

    /** Starts a command that serves, and waits until it says where it listens. */
    static VigilProcess start(String... args) throws IOException, InterruptedException {
        return startWithJvm(List.of(), args);
    }

    /** As {@link #start}, with options for the child's JVM (a temporary folder of the test's own, say). */
    static VigilProcess startWithJvm(List<String> jvm, String... args) throws IOException, InterruptedException {
        CompletableFuture<URI> url = new CompletableFuture<>();
        Spawned s = spawn(jvm, args, line -> {
            Matcher m = URL.matcher(line);
            if (!url.isDone() && m.find()) {
                url.complete(URI.create("http://127.0.0.1:" + m.group(2)));
            }
        }, lines -> url.completeExceptionally(new IllegalStateException("vigil exited before listening: " + lines)));
        try {
            return new VigilProcess(s.process(), url.get(60, TimeUnit.SECONDS), s.lines());
        } catch (Exception e) {
            s.process().destroyForcibly();
            throw new IllegalStateException("vigil did not start: " + s.lines(), e);
        }
    }

    /** Starts a command that serves nothing (no URL to wait for), e.g. a batch run. */
    static VigilProcess launch(String... args) throws IOException {
        Spawned s = spawn(List.of(), args, line -> { }, lines -> { });
        return new VigilProcess(s.process(), null, s.lines());
    }

    private record Spawned(Process process, List<String> lines) {
    }

    /** The jar as a child process; a daemon thread collects its output and shows each line to {@code onLine}. */
    private static Spawned spawn(List<String> jvm, String[] args, java.util.function.Consumer<String> onLine,
                                 java.util.function.Consumer<List<String>> onEnd) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", jar().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Thread.ofPlatform().daemon(true).start(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                    onLine.accept(line);
                }
            } catch (IOException e) {
                // the process went away
            }
            onEnd.accept(lines);
        });
        return new Spawned(p, lines);
    }

    /** Waits for the process to end by itself; its exit code. */
    int await(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("vigil did not finish within " + seconds + " s: " + output());
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no flush, nothing. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then the exit code. */
    int terminate() throws InterruptedException {
        // Through the handle: Process.destroy() would also close our end of the pipes, and what the stop prints
        // (where the acknowledged events are) would never be read.
        process.toHandle().destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("vigil did not stop within 60 s of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
