package io.fmnist.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.fmnist.eval.Evaluation;
import io.fmnist.eval.Leaderboard;
import io.fmnist.eval.ModelMetrics;
import io.fmnist.explain.GradCamGallery;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The report's text as Markdown: the answer first (the best model, against the seed notebook), the
 * leaderboard, each model's classification report and plots, the Grad-CAM galleries, the run's
 * details and a link to every artifact. Images and links are relative to the run directory, so the
 * file reads in place. For the page ({@link HtmlPage}) the same text is rendered with placeholders
 * where the interactive charts go (report.js draws them) instead of the PNG plots, and with the
 * confusion-matrix explorer; the tables are the same in both.
 */
final class ReportMarkdown {

  /** The stacked ensemble's name in a run (its vote baselines' names start with it). */
  private static final String ENSEMBLE = "ensemble";

  private final StringBuilder md = new StringBuilder();
  private final boolean interactive;

  private ReportMarkdown(boolean interactive) {
    this.interactive = interactive;
  }

  /** The content the report is made of, read from the run by {@link RunReport}. */
  record Content(String runName, JsonNode manifest, Leaderboard leaderboard, List<ModelMetrics> metrics,
      Map<String, String> trainingPlots, Map<String, List<GradCamGallery.Entry>> galleries,
      List<String> artifacts) {}

  /** report.md: the PNG plots. */
  static String render(Content content) {
    return new ReportMarkdown(false).document(content).md.toString();
  }

  /** The text of report.html: chart placeholders and the explorer instead of the PNG plots. */
  static String renderInteractive(Content content) {
    return new ReportMarkdown(true).document(content).md.toString();
  }

  /** The id of the placeholder report.js draws a model's training curves into. */
  static String trainingChart(String model) {
    return "chart-training-" + model;
  }

  private ReportMarkdown document(Content c) {
    md.append("# Fashion-MNIST run ").append(c.runName()).append("\n\n");
    answer(c.leaderboard());
    md.append("[Leaderboard](#leaderboard)")
        .append(interactive ? " · [Confusions](#confusions)" : "").append(" · [Models](#models)")
        .append(c.galleries().isEmpty() ? "" : " · [Grad-CAM](#grad-cam)")
        .append(" · [Run](#run) · [Artifacts](#artifacts)\n\n");
    md.append("## Leaderboard\n\n").append(c.leaderboard().rankingTable()).append('\n');
    chart("chart-leaderboard", "Test accuracy by model with 95% bootstrap intervals", RunReport.LEADERBOARD_PLOT);
    chart("chart-per-class-f1", "F1 per class and model", RunReport.PER_CLASS_PLOT);
    if (interactive) {
      placeholder("chart-calibration", "calibration");
    }
    md.append("### McNemar's test between every pair\n\n")
        .append("A small p says the two models' accuracies really differ on these test images.\n\n")
        .append(c.leaderboard().mcnemarTable()).append('\n');
    confusable(c.metrics(), c.manifest() == null ? List.of()
        : text(c.manifest().at("/config/evaluate/confusable-classes")));
    if (interactive) {
      md.append("## Confusions\n\n")
          .append("Each model's confusion matrix: hover a cell for its count and row share, click it for its ")
          .append("misclassified test images (the model's most confident mistakes first), with links to their ")
          .append("Grad-CAM figures where `explain` drew one.\n\n")
          .append("<p><label>Model: <select id=\"confusion-model\"></select></label></p>\n\n");
      placeholder("chart-confusion", "confusion");
      md.append("<div id=\"explorer\"></div>\n\n");
    }
    md.append("## Models\n\n");
    for (ModelMetrics m : c.metrics()) {
      model(m, c.trainingPlots().get(m.model()));
    }
    if (!c.galleries().isEmpty()) {
      md.append("## Grad-CAM\n\n").append("Where each deep model looked: the original image, the Grad-CAM ")
          .append("heatmap of the predicted class, and the two superimposed.\n\n");
      c.galleries().forEach(this::gallery);
    }
    md.append("## Run\n\n");
    run(c.manifest());
    md.append("## Artifacts\n\n");
    for (String artifact : c.artifacts()) {
      md.append("- [").append(artifact).append("](").append(artifact).append(")\n");
    }
    return this;
  }

  /**
   * The classes the models confuse with each other ({@code evaluate.confusable-classes}; for
   * Fashion-MNIST the upper-body garments): each model's F1 on them, its mistakes among them, and
   * its largest confusion there.
   */
  private void confusable(List<ModelMetrics> metrics, List<String> classes) {
    if (metrics.isEmpty() || classes.size() < 2) {
      return;
    }
    List<String> names = metrics.get(0).perClass().stream().map(ModelMetrics.ClassMetrics::name).toList();
    List<Integer> group = classes.stream().map(names::indexOf).filter(i -> i >= 0).toList();
    if (group.size() < 2) {
      return;
    }
    md.append("### The confusable classes\n\n").append("F1 on each of ")
        .append(String.join(", ", classes)).append(", the test images of one of them classified as another, ")
        .append("and the largest such confusion (true -> predicted).\n\n| model |");
    group.forEach(i -> md.append(' ').append(names.get(i)).append(" F1 |"));
    md.append(" mistakes among them | largest |\n|---|").append("---|".repeat(group.size() + 2)).append('\n');
    for (ModelMetrics m : metrics) {
      md.append("| ").append(m.model()).append(" |");
      group.forEach(i -> md.append(String.format(Locale.ROOT, " %.4f |", m.perClass().get(i).f1())));
      long mistakes = 0;
      long largest = -1;
      String which = "";
      for (int t : group) {
        for (int p : group) {
          long count = t == p ? 0 : m.confusionMatrix()[t][p];
          mistakes += count;
          if (count > largest) {
            largest = count;
            which = names.get(t) + " -> " + names.get(p) + " " + count;
          }
        }
      }
      md.append(' ').append(mistakes).append(" | ").append(which).append(" |\n");
    }
    md.append('\n');
  }

  /** The best model with its interval, and how it compares with the seed notebook's best, in one sentence. */
  private void answer(Leaderboard leaderboard) {
    if (leaderboard.models().isEmpty()) {
      return;
    }
    Leaderboard.Entry best = leaderboard.models().get(0);
    md.append(String.format(Locale.ROOT, "**Best: %s**, test accuracy **%.4f** (95%% interval %.4f-%.4f), "
        + "macro F1 %.4f.", best.model(), best.accuracy(), best.accuracyCi().low(), best.accuracyCi().high(),
        best.macroF1()));
    double seed = Evaluation.SEED_NOTEBOOK.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    double gain = 100 * (best.accuracy() - seed);
    md.append(String.format(Locale.ROOT, " The seed notebook's best model reached %.2f: this run's best is %.1f "
        + "points %s, and its interval %s.\n\n", seed, Math.abs(gain), gain >= 0 ? "higher" : "lower",
        best.accuracyCi().low() > seed ? "lies wholly above that figure"
            : best.accuracyCi().high() < seed ? "lies wholly below it" : "includes it"));
    ensembleAgainstBestSingle(leaderboard);
  }

  /**
   * Whether the stacked ensemble's difference from the best model that is not an ensemble (nor one
   * of its vote baselines) is significant, by McNemar's test on the same test images.
   */
  private void ensembleAgainstBestSingle(Leaderboard leaderboard) {
    Leaderboard.Entry ensemble = leaderboard.models().stream().filter(e -> e.model().equals(ENSEMBLE))
        .findFirst().orElse(null);
    Leaderboard.Entry single = leaderboard.models().stream().filter(e -> !e.model().startsWith(ENSEMBLE))
        .findFirst().orElse(null);
    if (ensemble == null || single == null) {
      return;
    }
    leaderboard.mcnemar().stream()
        .filter(c -> Set.of(c.first(), c.second()).equals(Set.of(ENSEMBLE, single.model())))
        .findFirst().ifPresent(c -> {
          double gain = 100 * (ensemble.accuracy() - single.accuracy());
          md.append(String.format(Locale.ROOT, "The stacked ensemble reached %.4f, %.2f points %s than the best "
              + "single model, %s (%.4f); McNemar's test: p = %.3g, so the difference is %s at the 5%% level.\n\n",
              ensemble.accuracy(), Math.abs(gain), gain >= 0 ? "higher" : "lower", single.model(),
              single.accuracy(), c.pValue(), c.pValue() < 0.05 ? "significant" : "not significant"));
        });
  }

  private void run(JsonNode manifest) {
    if (manifest == null) {
      return;
    }
    md.append("| run | |\n|---|---|\n");
    row("started", manifest.path("started").asText());
    row("command", "`" + String.join(" ", text(manifest.path("command"))) + "`");
    JsonNode versions = manifest.path("versions");
    for (Iterator<String> names = versions.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      row(name, versions.get(name).asText());
    }
    JsonNode machine = manifest.path("machine");
    if (!machine.isMissingNode()) {
      row("machine", String.format(Locale.ROOT, "%s, %d cores, %s", machine.path("cpu").asText(),
          machine.path("cores").asInt(), machine.path("vectorExtensions").asText()));
      row("MLlib BLAS", machine.path("mllibBlas").asText());
      if (machine.has("mllibGini")) {
        row("MLlib Gini statistics", machine.get("mllibGini").asText());
      }
    }
    JsonNode stages = manifest.path("stages");
    for (Iterator<String> names = stages.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      row("stage " + name, String.format(Locale.ROOT, "%.1f s", stages.get(name).path("seconds").asDouble()));
    }
    md.append('\n');
  }

  private void model(ModelMetrics m, String trainingPlot) {
    md.append("### ").append(m.model()).append("\n\n")
        .append(String.format(Locale.ROOT, "Test accuracy %.4f on %,d images; macro F1 %.4f.", m.accuracy(),
            m.testImages(), m.macro().f1()));
    if (m.validationAccuracy() != null) {
      md.append(String.format(Locale.ROOT, " Validation accuracy %.4f.", m.validationAccuracy()));
    }
    if (m.chosenParams() != null && !m.chosenParams().isEmpty()) {
      md.append(" Chosen: ").append(m.chosenParams()).append('.');
    }
    md.append("\n\n| class | precision | recall | F1 | support |\n|---|---|---|---|---|\n");
    for (ModelMetrics.ClassMetrics c : m.perClass()) {
      md.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %d |%n", c.name(), c.precision(),
          c.recall(), c.f1(), c.support()));
    }
    md.append(String.format(Locale.ROOT, "| **accuracy** | | | %.4f | %d |%n", m.accuracy(), m.testImages()));
    average("macro avg", m.macro(), m.testImages());
    average("weighted avg", m.weighted(), m.testImages());
    md.append('\n');
    if (!interactive) {
      image(m.model() + ": confusion matrix", RunReport.confusionPlot(m.model()));
    }
    if (trainingPlot != null) {
      chart(trainingChart(m.model()), m.model() + ": training curves", trainingPlot);
    }
  }

  private void average(String name, ModelMetrics.Average average, long support) {
    md.append(String.format(Locale.ROOT, "| **%s** | %.4f | %.4f | %.4f | %d |%n", name, average.precision(),
        average.recall(), average.f1(), support));
  }

  /** One paragraph of figures, so that they flow side by side; each carries its caption. */
  private void gallery(String model, List<GradCamGallery.Entry> entries) {
    md.append("### ").append(model).append("\n\n");
    for (GradCamGallery.Entry e : entries) {
      String caption = String.format(Locale.ROOT, "%s: true %s, predicted %s (%.1f%%)",
          e.correct() ? "correct" : "wrong", e.trueClass(), e.predictedClass(), 100 * e.confidence());
      md.append("![").append(caption).append("](").append(RunReport.galleryImage(model, e.file()))
          .append(" \"").append(caption).append("\")\n");
    }
    md.append('\n');
  }

  /** An interactive chart in the page, its PNG in report.md. */
  private void chart(String id, String alt, String png) {
    if (interactive) {
      placeholder(id, alt);
    } else {
      image(alt, png);
    }
  }

  private void placeholder(String id, String label) {
    md.append("<div class=\"chart\" id=\"").append(id).append("\" role=\"img\" aria-label=\"").append(label)
        .append("\"></div>\n\n");
  }

  private void image(String alt, String path) {
    md.append("![").append(alt).append("](").append(path).append(")\n\n");
  }

  private void row(String name, String value) {
    md.append("| ").append(name).append(" | ").append(value.replace("|", "\\|")).append(" |\n");
  }

  private static List<String> text(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(node -> out.add(node.asText()));
    return out;
  }
}
