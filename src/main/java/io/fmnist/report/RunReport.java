package io.fmnist.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.fmnist.data.TestImages;
import io.fmnist.deep.TrainingHistory;
import io.fmnist.eval.Leaderboard;
import io.fmnist.eval.ModelMetrics;
import io.fmnist.explain.GradCamGallery;
import io.fmnist.fs.AtomicOutput;
import io.fmnist.fs.HadoopFiles;
import io.fmnist.run.RunDirectory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.jfree.chart.JFreeChart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report of a run: PNG plots in {@code plots/}, {@code report.md} and the self-contained,
 * interactive {@code report.html} (Apache ECharts and the page's data inlined). It reads what the other stages left in the run directory (leaderboard,
 * metrics, training histories, Grad-CAM indexes), never their code, and can be redrawn at any
 * time from those files. Each output is written aside and moved into place.
 */
public final class RunReport {

  private static final Logger LOG = LoggerFactory.getLogger(RunReport.class);

  static final String LEADERBOARD_PLOT = "plots/leaderboard.png";
  static final String PER_CLASS_PLOT = "plots/per-class-f1.png";

  private final Configuration conf;

  public RunReport(Configuration conf) {
    this.conf = conf;
  }

  static String confusionPlot(String model) {
    return "plots/confusion-" + model + ".png";
  }

  static String trainingPlot(String model) {
    return "plots/training-" + model + ".png";
  }

  static String galleryImage(String model, String file) {
    return "explain/" + model + "/" + file;
  }

  /**
   * Draws the plots and writes both reports for {@code run}, whose leaderboard is {@code
   * leaderboard}; {@code testImages} gives the test images by id for the explorer's thumbnails
   * (null: the explorer lists the images without them).
   */
  public void write(RunDirectory run, Leaderboard leaderboard, Function<Set<Long>, TestImages> testImages) {
    List<ModelMetrics> metrics = new ArrayList<>();
    Map<String, TrainingHistory> histories = new LinkedHashMap<>();
    Map<String, List<GradCamGallery.Entry>> galleries = new LinkedHashMap<>();
    for (Leaderboard.Entry entry : leaderboard.models()) {
      String model = entry.model();
      metrics.add(ModelMetrics.read(run.metrics(model), conf));
      if (HadoopFiles.exists(run.history(model), conf)) {
        histories.put(model, TrainingHistory.read(run.history(model), conf));
      }
      Path index = new Path(run.explanations(model), GradCamGallery.INDEX);
      if (HadoopFiles.exists(index, conf)) {
        galleries.put(model, List.of(HadoopFiles.readJson(index, GradCamGallery.Entry[].class, conf)));
      }
    }

    Map<String, JFreeChart> charts = new LinkedHashMap<>();
    charts.put(LEADERBOARD_PLOT, Charts.leaderboard(leaderboard));
    charts.put(PER_CLASS_PLOT, Charts.perClassF1(metrics));
    for (ModelMetrics m : metrics) {
      charts.put(confusionPlot(m.model()), Charts.confusion(m));
    }
    Map<String, String> trainingPlots = new LinkedHashMap<>();
    histories.forEach((model, history) -> {
      charts.put(trainingPlot(model), Charts.trainingCurves(history));
      trainingPlots.put(model, trainingPlot(model));
    });
    writePlots(run, charts);

    JsonNode manifest = HadoopFiles.exists(run.manifest(), conf)
        ? HadoopFiles.readJson(run.manifest(), JsonNode.class, conf) : null;
    List<String> artifacts = new ArrayList<>(run.artifacts());
    for (Path report : List.of(run.reportHtml(), run.reportMarkdown())) {
      if (!artifacts.contains(report.getName())) {
        artifacts.add(report.getName());
      }
    }
    String name = run.root().getName();
    var content = new ReportMarkdown.Content(name, manifest, leaderboard, metrics, trainingPlots, galleries, artifacts);
    String markdown = ReportMarkdown.render(content);
    String html = HtmlPage.render("Fashion-MNIST run " + name, ReportMarkdown.renderInteractive(content),
        image -> HadoopFiles.readBytes(new Path(run.root(), image), conf),
        PageScripts.of(ReportData.of(leaderboard, metrics, histories, galleries, testImages), "report-data",
            "report.js"));
    AtomicOutput.write(run.reportMarkdown().toString(), true, conf,
        staging -> HadoopFiles.writeText(staging, markdown, conf));
    AtomicOutput.write(run.reportHtml().toString(), true, conf, staging -> HadoopFiles.writeText(staging, html, conf));
    LOG.info("report: {} plots, {} ({} KiB)", charts.size(), run.reportHtml(), html.length() / 1024);
  }

  private void writePlots(RunDirectory run, Map<String, JFreeChart> charts) {
    AtomicOutput.write(run.plots().toString(), true, conf, staging -> charts.forEach((file, chart) -> {
      boolean wide = file.equals(PER_CLASS_PLOT);
      HadoopFiles.writeBytes(new Path(staging, new Path(file).getName()),
          Charts.png(chart, wide ? 1200 : 800, wide ? 560 : 640), conf);
    }));
  }
}
