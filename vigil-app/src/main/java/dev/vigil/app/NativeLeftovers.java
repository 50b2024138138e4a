package dev.vigil.app;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * DuckDB's JDBC driver copies its native library (about 60 MB) into the temporary folder at every start and
 * deletes it at a normal exit only: each SIGKILL left a copy, and a server crashing in a loop filled the disk.
 * At start, the copies no running process has mapped are deleted. On Linux, /proc tells which are mapped
 * (deleting a mapped copy would be harmless, but is left alone anyway); elsewhere only day-old copies go.
 */
final class NativeLeftovers {

    /** A copy younger than this may be one another Vigil is about to load: left alone. */
    private static final Duration FRESH = Duration.ofSeconds(30);

    private NativeLeftovers() {
    }

    /** Deletes stale copies in {@code tmp}; returns how many. Never fails: this is housekeeping. */
    static int clean(Path tmp) {
        Set<String> mapped = mappedFiles();
        Duration minAge = mapped == null ? Duration.ofDays(1) : FRESH;
        int deleted = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp, "libduckdb_java*.so")) {
            for (Path p : ds) {
                try {
                    Instant modified = Files.getLastModifiedTime(p).toInstant();
                    if (modified.isAfter(Instant.now().minus(minAge))
                            || (mapped != null && mapped.contains(p.toAbsolutePath().toString()))) {
                        continue;
                    }
                    Files.deleteIfExists(p);
                    deleted++;
                } catch (IOException e) {
                    // another user's file, or gone already
                }
            }
        } catch (IOException e) {
            return deleted;
        }
        return deleted;
    }

    /** Every file some process maps, from /proc/PID/maps; null where there is no /proc. */
    private static Set<String> mappedFiles() {
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc.resolve("self"))) {
            return null;
        }
        Set<String> out = new HashSet<>();
        try (Stream<Path> pids = Files.list(proc)) {
            pids.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(pid -> {
                try (Stream<String> lines = Files.lines(pid.resolve("maps"))) {
                    lines.filter(l -> l.contains("libduckdb_java")).forEach(l -> {
                        int slash = l.indexOf('/');
                        if (slash >= 0) {
                            out.add(l.substring(slash).replace(" (deleted)", ""));
                        }
                    });
                } catch (IOException | RuntimeException e) {
                    // a process that ended, or one we may not read
                }
            });
        } catch (IOException e) {
            return null;
        }
        return out;
    }
}
