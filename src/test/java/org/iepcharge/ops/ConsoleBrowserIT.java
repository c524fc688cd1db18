package org.iepcharge.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.LabMessages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's chromium and chromium-driver (installed by .ci/run), driven by Selenium.
 * An analyst signs in, finds a message the LIS just sent over MLLP, reads its decision, releases its hold after fixing
 * the rules, and billing receives the DFT; signed out, the pages show nothing. Screenshots of the main pages go to
 * target/console-screenshots (the ones in docs/console/ were taken by this test).
 */
class ConsoleBrowserIT {
    private static final String PASSWORD = "night shift 3am";

    @TempDir
    Path dir;

    private EngineHarness engine;
    private WebDriver browser;
    private WebDriverWait wait;
    private String base;
    private final Path shots = Path.of(System.getProperty("iep.project.dir", "."), "target", "console-screenshots");

    @BeforeEach
    void start() throws Exception {
        Path rules = dir.resolve("rules.yaml");
        try (InputStream in = ConsoleBrowserIT.class.getResourceAsStream("/rules/default-rules.yaml")) {
            Files.copy(in, rules);
        }
        int port = EngineHarness.freePort();
        engine = EngineHarness.start(EngineHarness.Transport.NETTY, dir, Map.of("iep.rules", rules.toString(),
                "iep.http.enabled", "true", "iep.http.port", String.valueOf(port), "iep.http.password", PASSWORD));
        base = "http://127.0.0.1:" + port;
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getenv().getOrDefault("IEP_CHROMIUM", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(
                new File(System.getenv().getOrDefault("IEP_CHROMEDRIVER", "/usr/bin/chromedriver"))).usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        Files.createDirectories(shots);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void anAnalystFindsAMessageReadsItsDecisionAndReleasesItsHold() throws Exception {
        // Traffic from the LIS over MLLP: a charged order, a rejected frame, and a result with no order (held:
        // payer unknown).
        assertThat(engine.send(LabMessages.order("BR-ORM", "PLA", "MRN-A")).msa1()).isEqualTo("AA");
        assertThat(engine.send(LabMessages.finalResult("BR-ORU-A", "PLA", "FLA", "MRN-A")).msa1()).isEqualTo("AA");
        assertThat(engine.send(LabMessages.unsupportedVersion("BR-BAD")).msa1()).isEqualTo("AR");
        assertThat(engine.send(LabMessages.finalResult("BR-HELD", "PLH", "FLH", "MRN-HELD")).msa1()).isEqualTo("AA");
        List<String> before = engine.dfts();
        assertThat(before).hasSize(1);

        // Signed out: the console, the API and the metrics show nothing.
        browser.get(base + "/console/#holds");
        assertThat(browser.findElement(By.tagName("body")).getText()).contains("Sign in first")
                .doesNotContain("BR-HELD", "MRN-HELD", "PAYER_UNKNOWN");
        for (String path : List.of("/api/messages?controlId=BR-HELD", "/api/holds", "/metrics")) {
            browser.get(base + path);
            assertThat(browser.getPageSource()).doesNotContain("BR-HELD", "MRN-HELD", "iep_inbound");
        }

        // Sign in (a wrong password first).
        browser.get(base + "/login");
        signIn("admin", "not it");
        wait.until(ExpectedConditions.textToBe(By.id("error"), "Wrong user or password."));
        signIn("admin", PASSWORD);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("card-holds")));
        assertThat(text("card-holds")).contains("1");
        assertThat(text("card-parked")).contains("0");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("errors"), "BR-BAD"));
        shot("overview");

        // Find the held result by its control ID and open it.
        browser.findElement(By.id("nav-messages")).click();
        WebElement controlId = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("q-controlId")));
        controlId.sendKeys("BR-HELD");
        browser.findElement(By.id("search-go")).click();
        // The unfiltered list shows first; the search's answer has BR-HELD and nothing else.
        wait.until(ExpectedConditions.and(
                ExpectedConditions.textToBePresentInElementLocated(By.id("results"), "BR-HELD"),
                ExpectedConditions.not(ExpectedConditions.textToBePresentInElementLocated(By.id("results"),
                        "BR-ORM"))));
        assertThat(text("results")).contains("BR-HELD").doesNotContain("BR-ORM", "BR-BAD", "BR-ORU-A");
        shot("messages");
        browser.findElement(By.linkText("BR-HELD")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("explanation")));
        assertThat(text("msg-summary")).contains("outcome HELD", "answered AA");
        assertThat(text("raw")).contains("OBR|1|PLH^LIS|FLH^LAB").contains("\nOBX|1|TX");
        assertThat(text("ack")).contains("MSA|AA|BR-HELD");
        assertThat(text("explanation")).contains("decision (", "PAYER_UNKNOWN");
        assertThat(text("msg-holds")).contains("PAYER_UNKNOWN", "OPEN");
        shot("message");

        // The analyst decides results without insurance are charged to OTHER, and releases the hold.
        Path rules = dir.resolve("rules.yaml");
        String text = Files.readString(rules, StandardCharsets.UTF_8);
        assertThat(text).contains("payerWhenUnknown: HOLD");
        Files.writeString(rules, text.replace("payerWhenUnknown: HOLD", "payerWhenUnknown: OTHER"),
                StandardCharsets.UTF_8);
        browser.findElement(By.id("nav-holds")).click();
        WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("holds")));
        assertThat(row.getText()).contains("PAYER_UNKNOWN", "MRN-HELD");
        WebElement release = browser.findElement(By.cssSelector("button[id^='holds-release-']"));
        String holdId = release.getAttribute("id").substring("holds-release-".length());
        release.click();
        wait.until(ExpectedConditions.textToBe(By.id("holds-status-" + holdId), "A reason is required."));
        browser.findElement(By.id("holds-reason-" + holdId)).sendKeys("payer confirmed by phone: self-pay");
        shot("holds");
        release.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("holds-status-" + holdId),
                "released: charge queued for billing"));

        // Billing receives exactly one more DFT, for the released patient.
        await().atMost(Duration.ofSeconds(20)).until(() -> engine.dfts().size() == 2);
        String dft = engine.dfts().get(1);
        assertThat(dft).contains("DFT^P03", "MRN-HELD");

        browser.findElement(By.id("nav-outbox")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("no-outbox")));
        browser.findElement(By.id("nav-audit")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit"),
                "payer confirmed by phone: self-pay"));
        assertThat(text("audit")).contains("admin", "HOLD_RELEASE", "hold " + holdId, "POSTED");
        shot("audit");

        // Billing refuses the next DFT's content: it is parked; once billing is fixed the analyst retries it from the
        // Outbox page, with a reason, and billing gets it again (same bytes).
        engine.billing().setAnswer(AcknowledgmentCode.AE, ErrorCode.DATA_TYPE_ERROR);
        assertThat(engine.send(LabMessages.order("BR-ORM-P", "PLP", "MRN-P")).msa1()).isEqualTo("AA");
        assertThat(engine.send(LabMessages.finalResult("BR-ORU-P", "PLP", "FLP", "MRN-P")).msa1()).isEqualTo("AA");
        browser.get(base + "/console/#outbox");
        wait.until(driver -> {
            driver.navigate().refresh();
            return !driver.findElements(By.cssSelector("button[id^='outbox-retry-']")).isEmpty();
        });
        assertThat(text("outbox")).contains("PARKED", "AE 102");
        WebElement retry = browser.findElement(By.cssSelector("button[id^='outbox-retry-']"));
        String outboxId = retry.getAttribute("id").substring("outbox-retry-".length());
        shot("outbox");
        engine.billing().setAnswer(AcknowledgmentCode.AA);
        browser.findElement(By.id("outbox-reason-" + outboxId)).sendKeys("billing added the charge code");
        retry.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("outbox-status-" + outboxId),
                "queued again for billing"));
        List<String> all = engine.dfts();
        assertThat(all).hasSize(4);
        assertThat(all.get(3)).isEqualTo(all.get(2)).contains("MRN-P");

        // The message now shows its DFT and billing's answer.
        browser.get(base + "/console/#messages");
        WebElement search = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("q-controlId")));
        search.clear();
        search.sendKeys("BR-ORU-A");
        browser.findElement(By.id("search-go")).click();
        wait.until(ExpectedConditions.and(
                ExpectedConditions.textToBePresentInElementLocated(By.id("results"), "BR-ORU-A"),
                ExpectedConditions.not(ExpectedConditions.textToBePresentInElementLocated(By.id("results"),
                        "BR-HELD"))));
        browser.findElement(By.linkText("BR-ORU-A")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("dfts"), "DELIVERED"));
        assertThat(text("dfts")).contains("answered AA");

        // Signed out again: nothing.
        browser.findElement(By.id("signout")).click();
        wait.until(ExpectedConditions.urlContains("/login"));
        browser.get(base + "/console/#holds");
        assertThat(browser.findElement(By.tagName("body")).getText()).contains("Sign in first")
                .doesNotContain("BR-HELD", "MRN-HELD");
        browser.get(base + "/api/audit");
        assertThat(browser.getPageSource()).doesNotContain("self-pay", "HOLD_RELEASE");
    }

    private void signIn(String user, String password) {
        WebElement u = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("user")));
        u.clear();
        u.sendKeys(user);
        WebElement p = browser.findElement(By.id("password"));
        p.clear();
        p.sendKeys(password);
        browser.findElement(By.id("signin")).click();
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private void shot(String name) throws IOException {
        File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), shots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
