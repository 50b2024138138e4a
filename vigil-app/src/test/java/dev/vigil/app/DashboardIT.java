package dev.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The dashboard in a real browser (the distribution's chromium through chromedriver) against {@code vigil demo}:
 * the simulated estate feeds the server over HTTP and the pages must show what the API says.
 *
 * <p>With {@code -Dvigil.screenshots=DIR} each page is also saved as a PNG there: {@code ./vigil screenshots}
 * refreshes docs/images that way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private Path data;
    private VigilProcess vigil;
    private Browser browser;
    private WebDriver driver;
    private final Path screenshots = System.getProperty("vigil.screenshots", "").isEmpty() ? null
            : Path.of(System.getProperty("vigil.screenshots"));

    @BeforeAll
    void startTheDemoAndABrowser() throws Exception {
        data = Files.createTempDirectory("vigil-dashboard");
        vigil = VigilProcess.start("demo", "--port", "0", "--data", data.toString(), "--rate", "600");
        // Both suppliers called and all three units seen in closed minutes.
        awaitApi("/api/v1/estate", e -> e.get("units").size() == 3 && e.get("suppliers").size() == 2
                && e.get("suppliers").findValues("count").stream().allMatch(c -> c.asLong() > 0), Duration.ofSeconds(120));
        browser = Browser.start();
        driver = browser.driver;
    }

    @AfterEach
    void thePageLoggedNoErrors() {
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (vigil != null) {
                vigil.close();
            }
            try (var files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void theOverviewShowsEveryUnitAndSupplierWithTheFiguresOfTheApi() throws Exception {
        open("#/");
        waitFor(d -> d.findElements(By.cssSelector("section.unit")).size() == 3);
        // The page refreshes every 5 s and late events amend closed minutes: page and API agree within a refresh.
        AssertionError disagreement = null;
        long deadline = System.nanoTime() + 30_000_000_000L;
        do {
            JsonNode estate = Http.get(vigil.url, "/api/v1/estate");
            try {
                List<String> units = new ArrayList<>();
                driver.findElements(By.cssSelector("section.unit h2")).forEach(h -> units.add(h.getText()));
                List<String> expected = new ArrayList<>();
                estate.get("units").forEach(u -> expected.add(u.get("unit").asText() + " " + symbol(u.get("status").asText())
                        + " " + u.get("status").asText()));
                assertThat(units).as("units worst first, each with its status in words").isEqualTo(expected);
                for (JsonNode s : estate.get("suppliers")) {
                    checkRow(s.get("supplier").asText(), s);
                }
                for (JsonNode u : estate.get("units")) {
                    for (JsonNode s : u.get("services")) {
                        checkRow(s.get("service").asText(), s);
                    }
                }
                disagreement = null;
            } catch (AssertionError | org.openqa.selenium.StaleElementReferenceException e) {
                disagreement = e instanceof AssertionError a ? a : new AssertionError(e);
                Thread.sleep(1000);
            }
        } while (disagreement != null && System.nanoTime() < deadline);
        if (disagreement != null) {
            throw disagreement;
        }
        shoot("overview");
    }

    private void checkRow(String name, JsonNode api) {
        WebElement row = driver.findElement(By.xpath("//tr[th/a[normalize-space(.)='" + name + "']]"));
        List<WebElement> cells = row.findElements(By.tagName("td"));
        assertThat(cells.get(0).getText()).as(name + " status").endsWith(api.get("status").asText());
        assertThat(number(cells.get(1).getText())).as(name + " rate")
                .isCloseTo(api.get("ratePerSecond").asDouble(), within(0.051));
        assertThat(number(cells.get(2).getText())).as(name + " error ratio")
                .isCloseTo(100 * api.get("errorRatio").asDouble(), within(0.0051));
        if (!api.get("p95Ms").isNull()) {
            double p95 = api.get("p95Ms").asDouble();
            String text = cells.get(3).getText();
            double shown = text.endsWith(" s") ? 1000 * number(text) : number(text);
            assertThat(shown).as(name + " p95").isCloseTo(p95, within(p95 >= 10_000 ? 50.0 : 0.51));
        }
        assertThat(cells.get(4).getText()).isEqualTo(String.join("; ", texts(api.get("reasons"))));
    }

    @Test
    @Order(2)
    void theMapDrawsTheObservedCallsAndMarksSuppliersExternal() throws Exception {
        open("#/map");
        waitFor(d -> !d.findElements(By.cssSelector(".graph svg")).isEmpty()
                && !d.findElements(By.cssSelector(".calls tbody tr")).isEmpty());
        String graph = driver.findElement(By.cssSelector(".graph svg")).getText();
        assertThat(graph).contains("carrier-api · external", "tax-gateway · external", "web-shop", "catalog");
        JsonNode calls = Http.get(vigil.url, "/api/v1/estate").get("calls");
        List<String> pairs = new ArrayList<>();
        calls.forEach(c -> pairs.add(c.get("source").asText() + " " + c.get("peer").asText()
                + (c.get("external").asBoolean() ? " (external)" : "")));
        List<String> shown = new ArrayList<>();
        for (WebElement tr : driver.findElements(By.cssSelector(".calls tbody tr"))) {
            List<WebElement> cells = tr.findElements(By.cssSelector("th, td"));
            shown.add(cells.get(0).getText() + " " + cells.get(1).getText());
        }
        assertThat(shown).containsExactlyInAnyOrderElementsOf(pairs);
        shoot("map");
        // A supplier's node leads to its page.
        driver.findElement(By.xpath("//div[@class='calls']//a[.='carrier-api']")).click();
        waitFor(d -> d.findElement(By.tagName("h1")).getText().startsWith("carrier-api"));
    }

    @Test
    @Order(3)
    void aSupplierPageChartsTheChosenRangeAndListsTheObjectivesThatCoverIt() throws Exception {
        open("#/supplier/carrier-api");
        waitFor(d -> d.findElements(By.cssSelector(".chart svg")).size() == 3
                && d.findElement(By.cssSelector(".range-text")).getText().contains("steps of 1m"));
        assertThat(driver.findElement(By.cssSelector(".objectives")).getText())
                .contains("Carrier API availability", "Carrier API calls within 1 s");
        assertThat(driver.findElement(By.cssSelector(".in")).getText()).contains("shipping", "tracking", "returns");
        assertThat(driver.findElement(By.cssSelector("#c-latency svg")).getText()).contains("p50", "p95", "p99");
        shoot("supplier");
        driver.findElement(By.cssSelector("input[name=range][value='30d']")).click();
        waitFor(d -> d.findElement(By.cssSelector(".range-text")).getText().contains("steps of 1h"));
        // A custom range of three days is drawn in hours.
        ((JavascriptExecutor) driver).executeScript("""
                const f = document.querySelector('form.range');
                const pad = n => String(n).padStart(2, '0');
                const local = d => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
                f.from.value = local(new Date(Date.now() - 3 * 86400e3));
                f.to.value = local(new Date());""");
        driver.findElement(By.cssSelector("form.range button")).click();
        waitFor(d -> d.findElement(By.cssSelector("input[name=range][value=custom]")).isSelected()
                && d.findElement(By.cssSelector(".range-text")).getText().contains("steps of 1h"));
    }

    @Test
    @Order(4)
    void aStuckCaseAppearsAndItsPageListsItsEventsInEventTimeOrder() throws Exception {
        JsonNode stuck = awaitApi("/api/v1/cases?status=stuck&order=desc&limit=1", c -> !c.get("cases").isEmpty(),
                Duration.ofSeconds(150)).at("/cases/0");
        open("#/processes");
        waitFor(d -> d.findElement(By.cssSelector("[data-fig=stuck]")).getText().matches("[1-9][0-9]*"));
        shoot("processes");
        driver.findElement(By.cssSelector("[data-fig=stuck]")).click();
        waitFor(d -> !d.findElements(By.xpath("//a[.='" + stuck.get("id").asText() + "']")).isEmpty());
        driver.findElement(By.xpath("//a[.='" + stuck.get("id").asText() + "']")).click();
        waitFor(d -> d.findElement(By.tagName("h1")).getText().equals("Case " + stuck.get("id").asText()));
        JsonNode events = Http.get(vigil.url, "/api/v1/cases/" + stuck.get("id").asText()).get("events");
        List<WebElement> rows = driver.findElements(By.cssSelector("tbody tr"));
        assertThat(rows).hasSize(events.size());
        for (int i = 0; i < rows.size(); i++) {
            List<WebElement> cells = rows.get(i).findElements(By.tagName("td"));
            assertThat(cells.get(0).getText()).isEqualTo(events.get(i).get("time").asText());
            assertThat(cells.get(2).getText()).isEqualTo(events.get(i).get("name").asText());
        }
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("stuck");
    }

    @Test
    @Order(5)
    void anEventThatArrivedLateIsMarkedOnItsCasePage() throws Exception {
        // A sender delivers an event of a finished order again, long after the watermark passed its time.
        // An order that started a minute ago: behind every partition's watermark, within the 2 min maximum lateness.
        JsonNode done = Http.get(vigil.url, "/api/v1/cases?status=completed&order=desc&limit=1&to="
                + Instant.now().minusSeconds(60)).at("/cases/0");
        String id = done.get("id").asText();
        // Its second step (stock reserved): an activity in the middle, folded into the same case.
        JsonNode last = Http.get(vigil.url, "/api/v1/cases/" + id).at("/events/1");
        String again = "{\"time\":\"" + Instant.parse(last.get("time").asText()).plusMillis(1) + "\",\"source\":\""
                + last.get("source").asText() + "\",\"name\":\"" + last.get("name").asText() + "\",\"kind\":\"activity\","
                + "\"correlation\":" + last.get("correlation") + ",\"unit\":\"" + last.get("unit").asText() + "\"}";
        long seq = Http.postEvents(vigil.url, again).get("firstSeq").asLong();
        JsonNode found = awaitApi("/api/v1/cases/" + id, c -> {
            for (JsonNode e : c.get("events")) {
                if (e.get("seq").asLong() == seq && e.has("arrival")) {
                    return true;
                }
            }
            return false;
        }, Duration.ofSeconds(60));
        open("#/case/" + found.at("/case/id").asText());
        waitFor(d -> d.findElement(By.tagName("h1")).getText().startsWith("Case "));
        for (JsonNode e : found.get("events")) {
            WebElement row = driver.findElement(By.xpath("//tbody/tr[td[last()][.='" + e.get("seq").asText() + "']]"));
            String arrival = e.has("arrival") ? e.get("arrival").asText() : null;
            String cell = row.findElements(By.tagName("td")).get(5).getText();
            if (arrival == null) {
                assertThat(cell).isEqualTo("on time");
            } else {
                assertThat(cell).startsWith("▲ " + (arrival.equals("late") ? "late:" : "too late:"));
                assertThat(row.getAttribute("class")).contains("late");
            }
        }
        shoot("case");
    }

    @Test
    @Order(6)
    void searchFromTheKeyboardFindsACaseByItsOrderNumber() throws Exception {
        JsonNode c = Http.get(vigil.url, "/api/v1/cases?status=completed&order=desc&limit=1").at("/cases/0");
        String order = c.at("/keys/orderId/0").asText();
        open("#/");
        waitFor(d -> !d.findElements(By.cssSelector("section.unit")).isEmpty());
        // "/" jumps to the search box; Enter searches; a single case found opens it.
        new Actions(driver).sendKeys(driver.findElement(By.tagName("body")), "/").perform();
        assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("q");
        new Actions(driver).sendKeys(order).sendKeys(Keys.ENTER).perform();
        waitFor(d -> d.findElement(By.tagName("h1")).getText().equals("Case " + c.get("id").asText()));
        // By name, from the search box too: a supplier, and the objectives that measure it.
        driver.findElement(By.id("q")).clear();
        driver.findElement(By.id("q")).sendKeys("carrier", Keys.ENTER);
        waitFor(d -> d.findElement(By.tagName("h1")).getText().equals("Search: carrier"));
        assertThat(driver.findElement(By.tagName("tbody")).getText())
                .contains("carrier-api", "external supplier", "carrier-availability", "carrier-latency");
        // Back from the search box with Shift+Tab to the last page link, and Enter follows it.
        driver.findElement(By.id("q")).click();
        new Actions(driver).keyDown(Keys.SHIFT).sendKeys(Keys.TAB).keyUp(Keys.SHIFT).perform();
        assertThat(driver.switchTo().activeElement().getText()).isEqualTo("Objectives & alerts");
        new Actions(driver).sendKeys(Keys.ENTER).perform();
        waitFor(d -> d.findElement(By.tagName("h1")).getText().equals("Objectives and alerts"));
    }

    @Test
    @Order(7)
    void anInjectedIncidentRaisesAnAlertThatTheObjectivesPageShows() throws Exception {
        // Half of the carrier's calls of the last minutes failing burns the month's 1.5% budget far faster
        // than the page rule's 14.4x: the alert fires once the watermark closes the minute.
        StringBuilder body = new StringBuilder();
        Instant now = Instant.now();
        for (int i = 0; i < 4000; i++) {
            body.append("{\"time\":\"").append(now.minusMillis(i % 2000)).append("\",\"source\":\"shipping\",")
                    .append("\"name\":\"BookCarrier\",\"outcome\":\"error\",\"durationMs\":30,\"peer\":\"carrier-api\",")
                    .append("\"unit\":\"logistics\"}\n");
        }
        assertThat(Http.postEvents(vigil.url, body.toString()).get("accepted").asInt()).isEqualTo(4000);
        open("#/objectives");
        waitFor(Duration.ofSeconds(150), d ->
                d.findElement(By.id("firing-h")).findElement(By.xpath("..")).getText().contains("carrier-availability"));
        JsonNode firing = Http.get(vigil.url, "/api/v1/alerts").get("firing");
        assertThat(firing.findValuesAsText("objective")).contains("carrier-availability");
        WebElement row = driver.findElement(By.id("obj-carrier-availability"));
        assertThat(row.getText()).contains("breached", "firing");
        shoot("objectives");
        // The overview says so too, in words: the alert, and the supplier breached.
        open("#/");
        waitFor(d -> d.findElement(By.xpath("//tr[th/a[.='carrier-api']]")).getText().contains("breached"));
        assertThat(driver.findElement(By.id("firing-h")).findElement(By.xpath("..")).getText()).contains("carrier-availability");
    }

    @Test
    @Order(8)
    void onANarrowScreenNothingSpillsSidewaysAndEveryPageStaysReadable() throws Exception {
        Dimension wide = driver.manage().window().getSize();
        try {
            driver.manage().window().setSize(new Dimension(420, 900));
            for (String page : List.of("#/", "#/map", "#/processes", "#/objectives", "#/supplier/carrier-api")) {
                open(page);
                waitFor(d -> d.findElements(By.cssSelector(".loading")).isEmpty());
                Object overflow = ((JavascriptExecutor) driver).executeScript(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
                Object culprits = ((JavascriptExecutor) driver).executeScript("""
                        const w = document.documentElement.clientWidth;
                        return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1)
                          .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ');""");
                assertThat(((Number) overflow).intValue()).as(page + " spills sideways: " + culprits).isLessThanOrEqualTo(0);
                if (page.equals("#/")) {
                    shoot("overview-narrow");
                }
            }
        } finally {
            driver.manage().window().setSize(wide);
        }
    }

    private void open(String fragment) throws InterruptedException {
        driver.get(vigil.url.resolve("/" + fragment).toString());
        waitFor(d -> ((String) ((JavascriptExecutor) d).executeScript("return document.getElementById('live').textContent"))
                .startsWith("updated"));
    }

    private void waitFor(Function<WebDriver, Boolean> condition) throws InterruptedException {
        waitFor(PATIENCE, condition);
    }

    /** Polls the page until the condition holds; elements missing or replaced by a refresh meanwhile are retried. */
    private void waitFor(Duration patience, Function<WebDriver, Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.apply(driver))) {
                    return;
                }
                last = null;
            } catch (org.openqa.selenium.NoSuchElementException | org.openqa.selenium.StaleElementReferenceException e) {
                last = e;
            }
            Thread.sleep(200);
        }
        String page = driver.findElement(By.tagName("body")).getText();
        throw new AssertionError("the page did not come to the expected state within " + patience + " at "
                + driver.getCurrentUrl() + "; it shows:\n" + page, last);
    }

    private void shoot(String name) throws java.io.IOException {
        if (screenshots != null) {
            Files.createDirectories(screenshots);
            // The whole page, up to a screen and a half more, rather than the first screenful.
            Dimension size = driver.manage().window().getSize();
            long height = (Long) ((JavascriptExecutor) driver).executeScript("return document.documentElement.scrollHeight");
            driver.manage().window().setSize(new Dimension(size.width, (int) Math.min(height + 140, 2 * size.height)));
            try {
                Thread.sleep(300); // the charts follow the new size
                byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
                Files.write(screenshots.resolve("dashboard-" + name + ".png"), png);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                driver.manage().window().setSize(size);
            }
        }
    }

    private JsonNode awaitApi(String path, java.util.function.Predicate<JsonNode> done, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = Http.get(vigil.url, path);
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("GET " + path + " did not come to the expected state within " + patience + ": " + last);
    }

    private static double number(String text) {
        return Double.parseDouble(text.replaceAll("[^0-9.\\-]", ""));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String symbol(String status) {
        return switch (status) {
            case "breached" -> "✖";
            case "at risk" -> "▲";
            case "ok" -> "✔";
            default -> "○";
        };
    }
}
