package io.fmnist.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's report.html as a reader uses it, in headless Chromium: opened from disk, its charts'
 * canvases inspected, a real mouse moved over a confusion cell and clicked. Measures only; the
 * callers (PipelineReportTest, ReportOpenTime) decide what must hold.
 */
public final class ReportPage {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The page as opened: what it logged and fetched, and the drawn (non-transparent) pixels of each chart's canvas. */
  public record Opened(HeadlessChromium.PageLoad load, Map<String, Integer> drawnPixels, double firstChartMs) {}

  /**
   * One confusion cell tried: its model, true and predicted class, its count in metrics/<model>.json,
   * the tooltip a mouse over it showed, and after a click the explorer's heading, thumbnails and images.
   */
  public record Cell(String model, int trueClass, int predicted, long count, int cap, String tooltip,
      String explorerHeading, int thumbnails, int images) {}

  private final HeadlessChromium chromium;
  private final Path run;

  public ReportPage(HeadlessChromium chromium, Path run) {
    this.chromium = chromium;
    this.run = run;
  }

  /** Opens the page in a 1400 x 1000 viewport and waits up to 5 s for every chart to be drawn. */
  public Opened open() throws Exception {
    chromium.viewport(1400, 1000);
    HeadlessChromium.PageLoad load = chromium.open(run.resolve("report.html"));
    Map<String, Integer> drawn = Map.of();
    for (int i = 0; i < 50 && (drawn.isEmpty() || drawn.values().stream().anyMatch(n -> n < 2000)); i++) {
      Thread.sleep(i == 0 ? 0 : 100);
      JsonNode counts = chromium.evaluate("Object.fromEntries(Array.from(document.querySelectorAll('.chart'))"
          + ".map(e => { const c = e.querySelector('canvas'); if (!c) return [e.id, 0];"
          + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
          + " for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return [e.id, n]; }))");
      Map<String, Integer> next = new LinkedHashMap<>();
      counts.fields().forEachRemaining(chart -> next.put(chart.getKey(), chart.getValue().asInt()));
      drawn = next;
    }
    return new Opened(load, drawn, chromium.evaluate("window.fmnistFirstChartMs").asDouble());
  }

  /** Hovers, then clicks, the largest off-diagonal cell of the model the explorer shows first. */
  public Cell tryLargestConfusion() throws Exception {
    String model = chromium.evaluate("document.getElementById('confusion-model').value").asText();
    JsonNode metrics = JSON.readTree(run.resolve("metrics").resolve(model + ".json").toFile());
    long[][] confusion = JSON.treeToValue(metrics.get("confusionMatrix"), long[][].class);
    int[] cell = largest(confusion);
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
    chromium.mouse("mousePressed", x, y);
    chromium.mouse("mouseReleased", x, y);
    JsonNode explorer = chromium.evaluate("({ heading: document.querySelector('#explorer p').textContent,"
        + " thumbs: document.querySelectorAll('#explorer figure.thumb').length,"
        + " images: document.querySelectorAll('#explorer figure.thumb img').length })");
    return new Cell(model, cell[0], cell[1], count, metrics.at("/diagnostics/examplesPerCell").asInt(), tooltip,
        explorer.get("heading").asText(), explorer.get("thumbs").asInt(), explorer.get("images").asInt());
  }

  /** {true class, predicted class} of the largest off-diagonal count. */
  private static int[] largest(long[][] confusion) {
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

  /** The URLs the page fetched besides itself and data URIs. */
  public List<String> external(HeadlessChromium.PageLoad load) {
    String self = run.resolve("report.html").toUri().toString();
    return load.requests().stream().filter(url -> !url.startsWith("data:") && !url.equals(self)).toList();
  }
}
