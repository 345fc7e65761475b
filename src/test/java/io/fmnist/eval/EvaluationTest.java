package io.fmnist.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmnist.classical.ClassicalTrainer;
import io.fmnist.config.AppConfig;
import io.fmnist.data.FashionMnist;
import io.fmnist.data.Ingest;
import io.fmnist.data.TestSpark;
import io.fmnist.data.TrainingData;
import io.fmnist.fs.HadoopFiles;
import io.fmnist.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationTest {

  private final SparkSession spark = TestSpark.session();
  private final Configuration hadoop = spark.sparkContext().hadoopConfiguration();

  @Test
  void leaderboardRanksRealModelsWithIntervalsAndPairwiseTests(@TempDir Path tmp) throws Exception {
    AppConfig config = AppConfig.load(null, List.of("classical.lr.params.max-iter=20",
        "classical.svm.params.max-iter=10", "classical.svm.features=[pixels]"), hadoop);
    new Ingest(spark, config.classNames(), 1000)
        .run(FashionMnist.subset(tmp.resolve("idx"), 2000, 1000, true).toString(), tmp.resolve("data").toString(), false);
    TrainingData data = TrainingData.load(spark, tmp.resolve("data").toString(), config);
    RunDirectory run = RunDirectory.create(tmp.resolve("run").toString(), false, hadoop);
    ClassicalTrainer trainer = new ClassicalTrainer(spark, config, run);
    ModelMetrics lr = trainer.train("lr", data);
    ModelMetrics svm = trainer.train("svm", data);
    Files.delete(Path.of(run.metrics("svm").toUri()));

    Leaderboard board = new Evaluation(spark, config.classNames(), 500, 3, 42).run(run);

    assertEquals(2, board.models().size());
    assertTrue(board.models().get(0).accuracy() >= board.models().get(1).accuracy());
    for (Leaderboard.Entry entry : board.models()) {
      ModelMetrics expected = entry.model().equals("lr") ? lr : svm;
      assertEquals(expected.accuracy(), entry.accuracy(), 1e-12, entry.model());
      assertEquals(expected.macro().f1(), entry.macroF1(), 1e-12, entry.model());
      assertTrue(entry.accuracyCi().low() <= entry.accuracy() && entry.accuracy() <= entry.accuracyCi().high());
      assertTrue(entry.macroF1Ci().low() <= entry.macroF1() && entry.macroF1() <= entry.macroF1Ci().high());
      // 1,000 test images: the interval is a few points wide, neither a point nor everything.
      double width = entry.accuracyCi().high() - entry.accuracyCi().low();
      assertTrue(width > 0.01 && width < 0.1, "interval width " + width);
    }
    assertEquals(0.83, board.models().stream().filter(e -> e.model().equals("lr")).findFirst().orElseThrow().seedNotebook());
    assertTrue(HadoopFiles.exists(run.metrics("svm"), hadoop), "missing metrics are computed");
    assertEquals(svm.accuracy(), ModelMetrics.read(run.metrics("svm"), hadoop).accuracy(), 1e-12);

    Leaderboard.Comparison pair = board.mcnemar().get(0);
    List<Row> first = predictions(run, pair.first());
    List<Row> second = predictions(run, pair.second());
    long onlyFirst = 0;
    long onlySecond = 0;
    for (int i = 0; i < first.size(); i++) {
      boolean a = first.get(i).getInt(1) == first.get(i).getInt(2);
      boolean b = second.get(i).getInt(1) == second.get(i).getInt(2);
      onlyFirst += a && !b ? 1 : 0;
      onlySecond += b && !a ? 1 : 0;
    }
    assertEquals(onlyFirst, pair.onlyFirstRight());
    assertEquals(onlySecond, pair.onlySecondRight());
    assertTrue(pair.pValue() >= 0 && pair.pValue() <= 1);

    for (Leaderboard.Entry entry : board.models()) {
      ModelMetrics written = ModelMetrics.read(run.metrics(entry.model()), hadoop);
      Diagnostics d = written.diagnostics();
      assertEquals(entry.top2Accuracy(), d.top2Accuracy());
      assertTrue(d.top2Accuracy() > entry.accuracy() && d.top2Accuracy() <= 1, entry.model());
      List<Row> rows = predictions(run, entry.model());
      for (int t = 0; t < 10; t++) {
        for (int p = 0; p < 10; p++) {
          long count = written.confusionMatrix()[t][p];
          List<Diagnostics.Example> examples = d.misclassified().getOrDefault(Diagnostics.cell(t, p), List.of());
          assertEquals(t == p ? 0 : Math.min(count, 3), examples.size(), entry.model() + " cell " + t + "," + p);
          for (Diagnostics.Example example : examples) {
            Row row = rows.stream().filter(r -> r.getLong(0) == example.id()).findFirst().orElseThrow();
            assertEquals(List.of(t, p), List.of(row.getInt(1), row.getInt(2)), "image " + example.id());
          }
        }
      }
    }
    Diagnostics lrDiagnostics = ModelMetrics.read(run.metrics("lr"), hadoop).diagnostics();
    assertTrue(lrDiagnostics.probabilities());
    assertEquals(1000, lrDiagnostics.reliability().stream().mapToLong(Diagnostics.Bin::images).sum());
    double ece = lrDiagnostics.reliability().stream()
        .mapToDouble(b -> b.images() * Math.abs(b.accuracy() - b.meanConfidence())).sum() / 1000;
    assertEquals(ece, lrDiagnostics.expectedCalibrationError(), 1e-12);
    assertTrue(ece > 0 && ece < 0.2, "ECE " + ece);
    assertEquals(null, ModelMetrics.read(run.metrics("svm"), hadoop).diagnostics().expectedCalibrationError(),
        "LinearSVC gives margins, not probabilities");

    assertEquals(board.models(), Leaderboard.read(run.leaderboard(), hadoop).models());
    String table = HadoopFiles.readText(run.leaderboardTable(), hadoop);
    assertTrue(table.contains("| 1 | " + board.models().get(0).model() + " |"), table);
    assertTrue(table.contains("seed notebook"), table);
    String top = board.models().get(0).model();
    String summary = board.summary(run.leaderboardTable());
    assertTrue(summary.contains("| 1 | " + top + " |") && summary.contains("| 2 | "), summary);
    assertTrue(summary.contains("| " + top + " vs " + board.models().get(1).model() + " |"), summary);
  }

  @Test
  void theSummaryComparesTheTopModelWithEachOtherOne() {
    Leaderboard.Interval ci = new Leaderboard.Interval(0.8, 0.9);
    List<Leaderboard.Entry> ranked = List.of("a", "b", "c").stream()
        .map(m -> new Leaderboard.Entry(m, 0.85, ci, 0.85, ci, 1, 1000, null, null, null)).toList();
    Leaderboard board = new Leaderboard(100, ranked, List.of(
        new Leaderboard.Comparison("b", "a", 3, 7, 0.9, 0.34),
        new Leaderboard.Comparison("a", "c", 9, 2, 3.3, 0.07),
        new Leaderboard.Comparison("b", "c", 5, 5, 0.1, 0.75)));

    String summary = board.summary(new org.apache.hadoop.fs.Path("file:/runs/x/leaderboard.md"));

    assertTrue(summary.contains("| 3 | c |"), summary);
    assertTrue(summary.contains("| a vs b | 7 | 3 | 0.90 | 0.340 |"), "turned round to put the top model first: " + summary);
    assertTrue(summary.contains("| a vs c | 9 | 2 | 3.30 | 0.0700 |"), summary);
    assertFalse(summary.contains("b vs c"), summary);
    assertTrue(summary.contains("Every pair: file:/runs/x/leaderboard.md"), summary);
    assertTrue(board.toMarkdown().contains("| b vs c | 5 | 5 |"), "the file keeps every pair");
  }

  @Test
  void mcnemarMatchesTheTextbookValue() {
    // 10 images only the first model got right, none only the second: chi2 = (10-1)^2/10 = 8.1, p = 0.0044.
    int[][] first = {new int[20], new int[20]};
    int[][] second = {new int[20], new int[20]};
    for (int i = 0; i < 10; i++) {
      second[1][i] = 1;
    }
    Leaderboard.Comparison c = Evaluation.mcnemar("a", first, "b", second);
    assertEquals(10, c.onlyFirstRight());
    assertEquals(0, c.onlySecondRight());
    assertEquals(8.1, c.chiSquared(), 1e-12);
    assertEquals(0.004427, c.pValue(), 1e-6);
  }

  @Test
  void diagnosticsOfAHandfulOfImagesMatchTheirDefinitions() {
    // Image 1 right at 0.9; image 2 wrong at 0.6 with the truth second; image 3 wrong at 0.55 with the truth third.
    double[][] scores = {{0.9, 0.05, 0.05}, {0.6, 0.3, 0.1}, {0.55, 0.3, 0.15}};
    Diagnostics d = Diagnostics.of(new long[] {7, 8, 9}, new int[] {0, 1, 2}, new int[] {0, 0, 0}, scores, true, 5);
    assertEquals(2.0 / 3, d.top2Accuracy(), 1e-12);
    // Bin [0.9, 1.0): 1 image, right; bin [0.5, 0.6): 1 image (0.55), wrong; bin [0.6, 0.7): 1 image, wrong.
    assertEquals((0.1 + 0.55 + 0.6) / 3, d.expectedCalibrationError(), 1e-12);
    assertEquals(List.of(new Diagnostics.Example(8, 0.6)), d.misclassified().get(Diagnostics.cell(1, 0)));
    assertEquals(List.of(new Diagnostics.Example(9, 0.55)), d.misclassified().get(Diagnostics.cell(2, 0)));
    assertEquals(2, d.misclassified().size());
  }

  private List<Row> predictions(RunDirectory run, String model) {
    return spark.read().parquet(run.predictions(model).toString())
        .select("id", "label", "prediction").orderBy("id").collectAsList();
  }
}
