package io.fmnist.bench;

import io.fmnist.report.HeadlessChromium;
import io.fmnist.run.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Opens a report page in headless Chromium N times and prints the median time from navigation to
 * the first drawn chart (as the page records it), the page's size and what it requested.
 * Usage: ReportOpenTime PAGE [N]; scripts/report-open-time.sh runs it.
 */
public final class ReportOpenTime {

  private ReportOpenTime() {}

  public static void main(String[] args) throws Exception {
    Path page = Path.of(args[0]).toAbsolutePath();
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<Double> firstChart = new ArrayList<>();
    try (HeadlessChromium chromium = HeadlessChromium.start()) {
      chromium.viewport(1400, 1000);
      for (int i = 0; i < runs; i++) {
        HeadlessChromium.PageLoad load = chromium.open(page);
        if (!load.errors().isEmpty()) {
          throw new IllegalStateException(page + ": " + load.errors());
        }
        long external = load.requests().stream()
            .filter(url -> !url.startsWith("data:") && !url.equals(page.toUri().toString())).count();
        if (external > 0) {
          throw new IllegalStateException(page + " fetched " + load.requests());
        }
        firstChart.add(chromium.evaluate("window.fmnistFirstChartMs").asDouble());
      }
    }
    Collections.sort(firstChart);
    System.out.printf(Locale.ROOT, "machine: %s%n", Machine.current().describe());
    System.out.printf(Locale.ROOT, "%s: %.1f MB; first chart drawn %.0f ms after navigation (median of %d: %s); "
        + "nothing fetched but the page itself%n", page, Files.size(page) / 1e6, firstChart.get(runs / 2), runs,
        firstChart.stream().map(ms -> String.format(Locale.ROOT, "%.0f", ms)).toList());
  }
}
