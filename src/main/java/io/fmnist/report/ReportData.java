package io.fmnist.report;

import io.fmnist.data.ImagePixels;
import io.fmnist.data.ImageSize;
import io.fmnist.data.TestImages;
import io.fmnist.deep.TrainingHistory;
import io.fmnist.eval.Diagnostics;
import io.fmnist.eval.Leaderboard;
import io.fmnist.eval.ModelMetrics;
import io.fmnist.explain.GradCamGallery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * What report.js draws, as one JSON object: the class names, every model's leaderboard row,
 * per-class F1, confusion matrix, calibration, misclassified examples, training history and
 * Grad-CAM figures, and the thumbnails of the misclassified images, once each however many models
 * or cells show them.
 */
final class ReportData {

  private ReportData() {}

  /** One model, in leaderboard order. */
  record Model(String name, double accuracy, double[] accuracyCi, double macroF1, Double seedNotebook,
      Double top2Accuracy, Double expectedCalibrationError, double[] f1, long[][] confusion, boolean probabilities,
      List<Diagnostics.Bin> reliability, Map<String, List<double[]>> misclassified,
      List<TrainingHistory.Epoch> history, Integer bestEpoch, Map<Long, String> gradCam) {}

  record Page(List<String> classes, int examplesPerCell, List<Model> models, Map<Long, String> thumbnails) {}

  /**
   * @param testImages the test images by id, for the thumbnails; null when the data set is out of
   *     reach (the explorer then lists ids and confidences without images)
   */
  static Page of(Leaderboard leaderboard, List<ModelMetrics> metrics, Map<String, TrainingHistory> histories,
      Map<String, List<GradCamGallery.Entry>> galleries, Function<Set<Long>, TestImages> testImages) {
    Map<String, ModelMetrics> byName = new LinkedHashMap<>();
    metrics.forEach(m -> byName.put(m.model(), m));
    List<String> classes = metrics.get(0).perClass().stream().map(ModelMetrics.ClassMetrics::name).toList();
    Set<Long> shown = new TreeSet<>();
    int examplesPerCell = 0;
    List<Model> models = new ArrayList<>();
    for (Leaderboard.Entry entry : leaderboard.models()) {
      ModelMetrics m = byName.get(entry.model());
      Diagnostics d = m.diagnostics();
      Map<String, List<double[]>> misclassified = new LinkedHashMap<>();
      if (d != null) {
        examplesPerCell = Math.max(examplesPerCell, d.examplesPerCell());
        d.misclassified().forEach((cell, examples) -> misclassified.put(cell,
            examples.stream().map(e -> new double[] {e.id(), e.confidence()}).toList()));
        d.misclassified().values().forEach(examples -> examples.forEach(e -> shown.add(e.id())));
      }
      TrainingHistory history = histories.get(entry.model());
      Map<Long, String> gradCam = new LinkedHashMap<>();
      galleries.getOrDefault(entry.model(), List.of())
          .forEach(g -> gradCam.put(g.id(), RunReport.galleryImage(entry.model(), g.file())));
      models.add(new Model(entry.model(), entry.accuracy(),
          new double[] {entry.accuracyCi().low(), entry.accuracyCi().high()}, entry.macroF1(), entry.seedNotebook(),
          entry.top2Accuracy(), entry.expectedCalibrationError(),
          m.perClass().stream().mapToDouble(ModelMetrics.ClassMetrics::f1).toArray(), m.confusionMatrix(),
          d != null && d.probabilities(), d == null ? List.of() : d.reliability(), misclassified,
          history == null ? null : history.epochs(), history == null ? null : history.best().epoch(), gradCam));
    }
    Map<Long, String> thumbnails = new LinkedHashMap<>();
    if (testImages != null && !shown.isEmpty()) {
      TestImages images = testImages.apply(shown);
      images.pixels().forEach((id, pixels) -> thumbnails.put(id, png(pixels, images.size())));
    }
    return new Page(classes, examplesPerCell, models, thumbnails);
  }

  /** A grey or colour image as a PNG data URI. */
  private static String png(byte[] pixels, ImageSize size) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(ImagePixels.toImage(pixels, size), "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a thumbnail", e);
    }
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
  }
}
