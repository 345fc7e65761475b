package io.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmnist.data.FashionMnist;
import io.fmnist.report.HeadlessChromium;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline with a classical and a deep model on a real subset, then its report: the
 * plots, the classification reports, the Grad-CAM gallery, links to every artifact, the HTML
 * page opened in headless Chromium, and {@code explain} on its own redrawing it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineReportTest {

  @TempDir static Path tmp;
  private Path run;
  private Cli cli;

  @BeforeAll
  void runThePipeline() {
    Path input = FashionMnist.subset(tmp.resolve("in"), 3000, 500, true);
    run = tmp.resolve("run");
    cli = Cli.run("pipeline", "--conf", "conf/quick.conf", "--input", input.toString(), "--output", run.toString(),
        "--models", "lr,cnn", "--set", "deep.cnn.epochs=2", "--set", "explain.wrong-per-class=1");
  }

  @Test
  @Order(1)
  void reportHasEveryModelsPlotsTablesAndTheGradCamGallery() throws Exception {
    assertEquals(0, cli.code(), cli.err());
    assertTrue(cli.out().contains("report: "), cli.out());
    List<String> plots = List.of("leaderboard.png", "per-class-f1.png", "confusion-lr.png", "confusion-cnn.png",
        "training-cnn.png");
    for (String plot : plots) {
      BufferedImage png = ImageIO.read(run.resolve("plots").resolve(plot).toFile());
      assertTrue(png.getWidth() >= 800 && png.getHeight() >= 560, plot);
    }
    assertEquals(plots.size(), visible(run.resolve("plots")), "one plot per chart, nothing else");

    String md = Files.readString(run.resolve("report.md"));
    for (String model : List.of("lr", "cnn")) {
      assertTrue(md.contains("### " + model + "\n"), model);
      assertTrue(md.contains("](plots/confusion-" + model + ".png)"), model);
    }
    assertTrue(md.contains("| rank | model | accuracy | 95% CI |"), "leaderboard with intervals");
    assertTrue(md.contains("| seed notebook |"), "seed comparison");
    assertTrue(md.contains("| **macro avg** |") && md.contains("| Shirt |"), "classification report");
    JsonNode gallery = new ObjectMapper().readTree(run.resolve("explain/cnn/index.json").toFile());
    assertTrue(gallery.size() >= 10, "at least one figure per class");
    for (JsonNode figure : gallery) {
      assertTrue(md.contains("](explain/cnn/" + figure.get("file").asText() + " "), figure.toString());
    }
    // Every link (but the contents' anchors) resolves inside the run, and every artifact is linked.
    Matcher links = Pattern.compile("\\]\\(([^)# ][^) ]*)").matcher(md);
    int count = 0;
    while (links.find()) {
      assertTrue(Files.exists(run.resolve(links.group(1))), links.group(1));
      count++;
    }
    for (String artifact : List.of("run.json", "leaderboard.json", "models/lr/", "models/cnn/", "predictions/cnn/",
        "metrics/lr.json", "history/cnn.json", "checkpoints/cnn/", "explain/cnn/", "data/", "report.html")) {
      assertTrue(md.contains("- [" + artifact + "](" + artifact + ")"), artifact);
    }
    assertTrue(count > plots.size() + gallery.size(), "links " + count);

    String html = Files.readString(run.resolve("report.html"));
    assertFalse(html.contains("src=\"http") || html.contains("src=\"plots/") || html.contains("src=\"explain/"),
        "every image is embedded");
    assertTrue(html.contains("<table>") && html.contains("href=\"metrics/lr.json\""));
  }

  @Test
  @Order(2)
  void reportOpensInHeadlessChromiumWithEveryImageDecodedAndNoConsoleErrors() throws Exception {
    assertEquals(0, cli.code(), cli.err());
    int galleryImages = new ObjectMapper().readTree(run.resolve("explain/cnn/index.json").toFile()).size();
    try (HeadlessChromium chromium = HeadlessChromium.start()) {
      HeadlessChromium.PageLoad page = chromium.open(run.resolve("report.html"));
      assertEquals(List.of(), page.errors());
      assertEquals("Fashion-MNIST run run", page.title());
      assertEquals(galleryImages, page.images(), "the page shows the Grad-CAM figures; its charts are drawn");
      assertEquals(page.images(), page.decoded());

      // The check can fail: a page with a corrupt image and a console error is caught.
      Path broken = tmp.resolve("broken.html");
      Files.writeString(broken, "<!DOCTYPE html><title>broken</title><img src=\"data:image/png;base64,iVBORw0K\">"
          + "<img src=\"" + run.resolve("plots/leaderboard.png").toUri() + "\"><script>console.error('boom')</script>");
      HeadlessChromium.PageLoad bad = chromium.open(broken);
      assertEquals(2, bad.images());
      assertEquals(1, bad.decoded());
      assertTrue(bad.errors().stream().anyMatch(error -> error.contains("boom")), bad.errors().toString());
    }
  }

  @Test
  @Order(2)
  void reportChartsDrawOfflineAndTheConfusionCellsLeadToTheirImages() throws Exception {
    assertEquals(0, cli.code(), cli.err());
    Path page = run.resolve("report.html");
    try (HeadlessChromium chromium = HeadlessChromium.start()) {
      chromium.viewport(1400, 1000);
      HeadlessChromium.PageLoad load = chromium.open(page);
      assertEquals(List.of(), load.errors());
      for (String url : load.requests()) {
        assertTrue(url.equals(page.toUri().toString()) || url.startsWith("data:"), "fetched " + url);
      }
      // Every chart's canvas has something drawn on it (within 5 s: charts draw on animation frames).
      JsonNode drawn = null;
      for (int i = 0; i < 50 && (drawn == null || !allAbove(drawn, 2000)); i++) {
        Thread.sleep(i == 0 ? 0 : 100);
        drawn = chromium.evaluate("Object.fromEntries(Array.from(document.querySelectorAll('.chart')).map(e => {"
            + " const c = e.querySelector('canvas'); if (!c) return [e.id, 0];"
            + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
            + " for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return [e.id, n]; }))");
      }
      assertEquals(List.of("chart-leaderboard", "chart-per-class-f1", "chart-calibration", "chart-confusion",
          "chart-training-cnn"), iterable(drawn.fieldNames()));
      drawn.fields().forEachRemaining(chart -> assertTrue(chart.getValue().asInt() > 2000, chart.toString()));

      // The model shown first is the leaderboard's best; hover and click its largest confusion.
      String model = chromium.evaluate("document.getElementById('confusion-model').value").asText();
      long[][] confusion = new ObjectMapper().readValue(
          new ObjectMapper().readTree(run.resolve("metrics").resolve(model + ".json").toFile()).get("confusionMatrix")
              .toString(), long[][].class);
      int[] cell = largestConfusion(confusion);
      long count = confusion[cell[0]][cell[1]];
      JsonNode at = chromium.evaluate("(() => { const e = document.getElementById('chart-confusion');"
          + " e.scrollIntoView(); const p = echarts.getInstanceByDom(e).convertToPixel({seriesIndex: 0}, ["
          + cell[1] + ", " + cell[0] + "]); const r = e.getBoundingClientRect(); return [r.left + p[0], r.top + p[1]]; })()");
      double x = at.get(0).asDouble();
      double y = at.get(1).asDouble();
      chromium.mouse("mouseMoved", x, y);
      String tooltip = "";
      for (int i = 0; i < 40 && !tooltip.contains(" images"); i++) {
        Thread.sleep(50);
        tooltip = chromium.evaluate("(document.querySelector('.fmnist-tooltip') || {}).textContent || ''").asText();
      }
      assertTrue(tooltip.contains(": " + count + " images"), tooltip + " (expected " + count + ")");

      chromium.mouse("mousePressed", x, y);
      chromium.mouse("mouseReleased", x, y);
      int cap = new ObjectMapper().readTree(run.resolve("metrics").resolve(model + ".json").toFile())
          .at("/diagnostics/examplesPerCell").asInt();
      JsonNode explorer = chromium.evaluate("({ heading: document.querySelector('#explorer p').textContent,"
          + " thumbs: document.querySelectorAll('#explorer figure.thumb').length,"
          + " images: document.querySelectorAll('#explorer figure.thumb img').length })");
      assertEquals(Math.min(count, cap), explorer.get("thumbs").asLong(), explorer.toString());
      assertEquals(explorer.get("thumbs").asLong(), explorer.get("images").asLong(), "each with its thumbnail");
      assertTrue(explorer.get("heading").asText().contains(": " + count + " images"), explorer.toString());
    }
  }

  private static boolean allAbove(JsonNode counts, int least) {
    for (JsonNode count : counts) {
      if (count.asInt() <= least) {
        return false;
      }
    }
    return true;
  }

  private static List<String> iterable(java.util.Iterator<String> names) {
    List<String> out = new java.util.ArrayList<>();
    names.forEachRemaining(out::add);
    return out;
  }

  /** {true class, predicted class} of the largest off-diagonal count. */
  private static int[] largestConfusion(long[][] confusion) {
    int[] best = {0, 1};
    for (int t = 0; t < confusion.length; t++) {
      for (int p = 0; p < confusion.length; p++) {
        if (t != p && confusion[t][p] > confusion[best[0]][best[1]]) {
          best = new int[] {t, p};
        }
      }
    }
    return best;
  }

  @Test
  @Order(3)
  void explainOnItsOwnRedrawsTheReportWithTheNewFigures() throws Exception {
    assertEquals(0, cli.code(), cli.err());
    int before = new ObjectMapper().readTree(run.resolve("explain/cnn/index.json").toFile()).size();

    Cli explain = Cli.run("explain", "--run", run.toString(), "--samples", "2", "--overwrite");

    assertEquals(0, explain.code(), explain.err());
    assertTrue(explain.out().contains("report: "), explain.out());
    JsonNode gallery = new ObjectMapper().readTree(run.resolve("explain/cnn/index.json").toFile());
    assertTrue(gallery.size() > before, before + " -> " + gallery.size());
    String md = Files.readString(run.resolve("report.md"));
    for (JsonNode figure : gallery) {
      assertTrue(md.contains("](explain/cnn/" + figure.get("file").asText() + " "), figure.toString());
    }
  }

  private static long visible(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files.filter(path -> !path.getFileName().toString().startsWith(".")).count();
    }
  }
}
