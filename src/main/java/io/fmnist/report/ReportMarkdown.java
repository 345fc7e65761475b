package io.fmnist.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.fmnist.eval.Leaderboard;
import io.fmnist.eval.ModelMetrics;
import io.fmnist.explain.GradCamGallery;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's text as Markdown: what the run was, the leaderboard, each model's classification
 * report and plots, the Grad-CAM galleries and a link to every artifact. Images and links are
 * relative to the run directory, so the file reads in place; {@link HtmlPage} turns the same text
 * into the self-contained page.
 */
final class ReportMarkdown {

  private final StringBuilder md = new StringBuilder();

  private ReportMarkdown() {}

  /** The content the report is made of, read from the run by {@link RunReport}. */
  record Content(String runName, JsonNode manifest, Leaderboard leaderboard, List<ModelMetrics> metrics,
      Map<String, String> trainingPlots, Map<String, List<GradCamGallery.Entry>> galleries,
      List<String> artifacts) {}

  static String render(Content content) {
    return new ReportMarkdown().document(content).md.toString();
  }

  private ReportMarkdown document(Content c) {
    md.append("# Fashion-MNIST run ").append(c.runName()).append("\n\n");
    md.append("[Leaderboard](#leaderboard) · [Models](#models)")
        .append(c.galleries().isEmpty() ? "" : " · [Grad-CAM](#grad-cam)").append(" · [Artifacts](#artifacts)\n\n");
    run(c.manifest());
    md.append("## Leaderboard\n\n").append(c.leaderboard().rankingTable()).append('\n');
    image("Test accuracy by model with 95% bootstrap intervals", RunReport.LEADERBOARD_PLOT);
    image("F1 per class and model", RunReport.PER_CLASS_PLOT);
    md.append("### McNemar's test between every pair\n\n")
        .append("A small p says the two models' accuracies really differ on these test images.\n\n")
        .append(c.leaderboard().mcnemarTable()).append('\n');
    md.append("## Models\n\n");
    for (ModelMetrics m : c.metrics()) {
      model(m, c.trainingPlots().get(m.model()));
    }
    if (!c.galleries().isEmpty()) {
      md.append("## Grad-CAM\n\n").append("Where each deep model looked: the original image, the Grad-CAM ")
          .append("heatmap of the predicted class, and the two superimposed.\n\n");
      c.galleries().forEach(this::gallery);
    }
    md.append("## Artifacts\n\n");
    for (String artifact : c.artifacts()) {
      md.append("- [").append(artifact).append("](").append(artifact).append(")\n");
    }
    return this;
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
    image(m.model() + ": confusion matrix", RunReport.confusionPlot(m.model()));
    if (trainingPlot != null) {
      image(m.model() + ": training curves", trainingPlot);
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
