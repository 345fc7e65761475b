package io.fmnist.bench;

import io.fmnist.report.HeadlessChromium;
import io.fmnist.report.ReportPage;
import io.fmnist.run.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A run's report.html in headless Chromium, as PipelineReportTest checks it, on any run (the full
 * default one included): opened N times, it prints the median time from navigation to the first
 * drawn chart, the page's size, console errors, anything fetched, each chart's drawn pixels, and a
 * hover and click on the largest confusion cell. Usage: ReportOpenTime RUN [N];
 * scripts/report-open-time.sh runs it.
 */
public final class ReportOpenTime {

  private ReportOpenTime() {}

  public static void main(String[] args) throws Exception {
    Path run = Path.of(args[0]).toAbsolutePath();
    int opens = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<Double> firstChart = new ArrayList<>();
    try (HeadlessChromium chromium = HeadlessChromium.start()) {
      ReportPage page = new ReportPage(chromium, run);
      ReportPage.Opened opened = null;
      for (int i = 0; i < opens; i++) {
        opened = page.open();
        firstChart.add(opened.firstChartMs());
      }
      ReportPage.Cell cell = page.tryLargestConfusion();
      Collections.sort(firstChart);
      System.out.printf(Locale.ROOT, "machine: %s%n", Machine.current().describe());
      System.out.printf(Locale.ROOT, "%s: %.1f MB; first chart drawn %.0f ms after navigation (median of %d: %s)%n",
          run.resolve("report.html"), Files.size(run.resolve("report.html")) / 1e6, firstChart.get(opens / 2), opens,
          firstChart.stream().map(ms -> String.format(Locale.ROOT, "%.0f", ms)).toList());
      System.out.printf("console errors: %s; fetched besides the page and data URIs: %s%n", opened.load().errors(),
          page.external(opened.load()));
      System.out.printf("drawn pixels per chart: %s%n", opened.drawnPixels());
      System.out.printf("%s, true %d predicted %d: %d images in metrics/%s.json (cap %d); tooltip \"%s\"; "
          + "after a click %d thumbnails, %d with an image; \"%s\"%n", cell.model(), cell.trueClass(),
          cell.predicted(), cell.count(), cell.model(), cell.cap(), cell.tooltip(), cell.thumbnails(), cell.images(),
          cell.explorerHeading());
    }
  }
}
