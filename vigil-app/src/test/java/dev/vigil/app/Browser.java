package dev.vigil.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The distribution's chromium, headless, driven through its chromedriver. {@code ./vigil test} installs
 * both where they are missing; VIGIL_CHROMIUM and VIGIL_CHROMEDRIVER point elsewhere.
 */
final class Browser implements AutoCloseable {

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static Browser start() throws java.io.IOException {
        Path chromium = Path.of(System.getenv().getOrDefault("VIGIL_CHROMIUM", "/usr/bin/chromium"));
        Path chromedriver = Path.of(System.getenv().getOrDefault("VIGIL_CHROMEDRIVER", "/usr/bin/chromedriver"));
        for (Path p : List.of(chromium, chromedriver)) {
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(p + " is missing: run the tests with ./vigil test, which installs chromium "
                        + "and chromium-driver, or apt-get install chromium chromium-driver");
            }
        }
        Path profile = Files.createTempDirectory("vigil-chromium");
        ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile());
        // Headless, and none of the background connections a closed network would refuse at every start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,900", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort().build();
        return new Browser(new ChromeDriver(service, options), profile);
    }

    /** What the page logged at SEVERE (script errors, failed loads) since the last call. */
    List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
    }

    @Override
    public void close() throws java.io.IOException {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
