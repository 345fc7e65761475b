package io.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmnist.data.FashionMnist;
import io.fmnist.report.HeadlessChromium;
import io.fmnist.report.ReportPage;
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

    // The confusable classes' table: each model's mistakes among T-shirt/top, Pullover, Coat, Shirt.
    assertTrue(md.contains("### The confusable classes"), "confusable classes");
    for (String model : List.of("lr", "cnn")) {
      JsonNode confusion = new ObjectMapper().readTree(run.resolve("metrics/" + model + ".json").toFile())
          .get("confusionMatrix");
      long mistakes = 0;
      for (int t : new int[] {0, 2, 4, 6}) {
        for (int p : new int[] {0, 2, 4, 6}) {
          mistakes += t == p ? 0 : confusion.get(t).get(p).asLong();
        }
      }
      Matcher row = Pattern.compile("\\| " + model + " \\|(?: [0-9.]+ \\|){4} (\\d+) \\|").matcher(md);
      assertTrue(row.find(), model);
      assertEquals(mistakes, Long.parseLong(row.group(1)), model);
    }

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
    try (HeadlessChromium chromium = HeadlessChromium.start()) {
      ReportPage page = new ReportPage(chromium, run);
      ReportPage.Opened opened = page.open();
      assertEquals(List.of(), opened.load().errors());
      assertEquals(List.of(), page.external(opened.load()), "nothing fetched but the page and its data URIs");
      assertEquals(List.of("chart-leaderboard", "chart-per-class-f1", "chart-calibration", "chart-confusion",
          "chart-training-cnn"), List.copyOf(opened.drawnPixels().keySet()));
      opened.drawnPixels().forEach((chart, pixels) -> assertTrue(pixels > 2000, chart + ": " + pixels));

      // The model shown first is the leaderboard's best; hover and click its largest confusion.
      ReportPage.Cell cell = page.tryLargestConfusion();
      assertTrue(cell.tooltip().contains(": " + cell.count() + " images"), cell.toString());
      assertEquals(Math.min(cell.count(), cell.cap()), cell.thumbnails(), cell.toString());
      assertEquals(cell.thumbnails(), cell.images(), "each with its thumbnail");
      assertTrue(cell.explorerHeading().contains(": " + cell.count() + " images"), cell.toString());
    }
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

  /** The pipeline's models, reused: predict checks the input's shape against each kind before any work. */
  @Test
  @Order(4)
  void predictRefusesImagesOfAnotherShapeBeforeAnyWork() throws Exception {
    assertEquals(0, cli.code(), cli.err());
    // 70 real test images' bytes read as 20x24 (480 bytes each), as a new user's own IDX set might be.
    Path small = Files.createDirectories(tmp.resolve("small"));
    byte[] images = FashionMnist.decompressed(FashionMnist.TEST_IMAGES);
    FashionMnist.write(small, FashionMnist.TEST_IMAGES, false, FashionMnist.idx(new int[] {70, 20, 24}, 0x08, images,
        16, 70 * 480));
    FashionMnist.write(small, FashionMnist.TEST_LABELS, false,
        FashionMnist.firstLabels(FashionMnist.decompressed(FashionMnist.TEST_LABELS), 70));
    for (String model : List.of("cnn", "lr")) {
      Path out = tmp.resolve("predicted-small-" + model);
      Cli predict = Cli.run("predict", "--model", run.resolve("models").resolve(model).toString(),
          "--input", small.toString(), "--output", out.toString());
      assertEquals(3, predict.code(), predict.out() + predict.err());
      assertTrue(predict.err().contains(small + ": images of 20x24, but the model ") && predict.err()
          .contains(" takes 28x28"), predict.err());
      assertEquals(1, predict.err().strip().lines().count(), "one line: " + predict.err());
      assertFalse(Files.exists(out), "nothing written");
    }
    Cli notAModel = Cli.run("predict", "--model", run.resolve("plots").toString(), "--input", small.toString(),
        "--output", tmp.resolve("predicted-none").toString());
    assertEquals(3, notAModel.code(), notAModel.err());
    assertTrue(notAModel.err().contains(
        "plots: not a saved model (neither a DL4J model.json, an ensemble.json nor an MLlib"),
        notAModel.err());
  }

  private static long visible(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files.filter(path -> !path.getFileName().toString().startsWith(".")).count();
    }
  }
}
