package dev.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The checkout's launcher, as a newcomer first meets it: `./vigil` with nothing after it. */
class LauncherTest {

    @Test
    void theLauncherWithoutACommandPrintsItsUsageWithTestAndScreenshotsAndExitsNonZero() throws Exception {
        Path launcher = Path.of("..", "vigil").toAbsolutePath().normalize();
        assertThat(launcher).exists();
        Process p = new ProcessBuilder("bash", launcher.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the launcher answers").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isEqualTo(2);
        assertThat(out).contains("Usage: ./vigil COMMAND", "./vigil demo", "./vigil test", "./vigil screenshots",
                "./vigil COMMAND --help");
    }
}
