package io.fmnist.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code trend.html} of a nightly runs root: the interactive counterpart of trend.png (hover for a
 * night's interval and the gate's verdict, zoom, toggle models), with the same figures as a table
 * for readers without JavaScript. One self-contained file, like report.html.
 */
public final class TrendPage {

  /** One model on one night: its accuracy with the 95% interval, and what the champion gate did. */
  public record Point(double accuracy, double low, double high, boolean promoted, String reason) {}

  record Series(String model, List<Point> points) {}

  record Data(List<String> runs, List<Series> series) {}

  private TrendPage() {}

  /**
   * @param runs the nightly runs, oldest first
   * @param points by model, then by run (null where that night did not train the model)
   */
  public static String html(List<String> runs, Map<String, Map<String, Point>> points) {
    StringBuilder md = new StringBuilder("# Nightly trend\n\n")
        .append("Each model's test accuracy night by night; a diamond marks a night whose challenger became ")
        .append("the champion.\n\n<div class=\"chart\" id=\"chart-trend\" role=\"img\" aria-label=\"trend\"></div>\n\n")
        .append("| night | model | accuracy | 95% CI | gate |\n|---|---|---|---|---|\n");
    List<Series> series = new ArrayList<>();
    points.forEach((model, byRun) -> {
      List<Point> line = new ArrayList<>();
      for (String run : runs) {
        Point point = byRun.get(run);
        line.add(point);
        if (point != null) {
          md.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %.4f-%.4f | %s |%n", run, model, point.accuracy(),
              point.low(), point.high(), (point.promoted() ? "promoted: " : "kept the champion: ")
                  + point.reason().replace("|", "\\|")));
        }
      }
      series.add(new Series(model, line));
    });
    return HtmlPage.render("Nightly trend", md.toString(), image -> null,
        PageScripts.of(new Data(runs, series), "trend-data", "trend.js"));
  }
}
