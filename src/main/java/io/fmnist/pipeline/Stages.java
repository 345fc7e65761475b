package io.fmnist.pipeline;

import com.typesafe.config.Config;
import io.fmnist.config.AppConfig;
import io.fmnist.data.Ingest;
import io.fmnist.data.IngestManifest;
import io.fmnist.data.ParquetLayout;
import io.fmnist.data.TestImages;
import io.fmnist.data.TrainingData;
import io.fmnist.deep.DeepTrainer;
import io.fmnist.deep.SavedDeepModel;
import io.fmnist.eval.Evaluation;
import io.fmnist.eval.Leaderboard;
import io.fmnist.eval.ModelMetrics;
import io.fmnist.explain.GradCamGallery;
import io.fmnist.fs.HadoopFiles;
import io.fmnist.models.ModelRegistry;
import io.fmnist.models.ModelSpec;
import io.fmnist.report.RunReport;
import io.fmnist.run.RunDirectory;
import io.fmnist.run.RunManifest;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stages after ingest as {@code train}, {@code explain}, {@code evaluate}, {@code pipeline}
 * and {@code nightly} run them, in one place: the commands parse options and call these. Progress
 * lines for the user go to {@code out}; each stage records itself in the run manifest.
 */
public final class Stages {

  private static final Logger LOG = LoggerFactory.getLogger(Stages.class);

  private final SparkSession spark;
  private final AppConfig config;
  private final PrintStream out;

  public Stages(SparkSession spark, AppConfig config, PrintStream out) {
    this.spark = spark;
    this.config = config;
    this.out = out;
  }

  /** What {@link #pipeline} made: the run, its data set, each model's test metrics and the leaderboard. */
  public record PipelineResult(RunDirectory run, String data, Map<String, ModelMetrics> models,
      Leaderboard leaderboard) {}

  /**
   * Every stage into {@code run}: ingest of the verified input (into {@code RUN/data}), train of
   * {@code models} (as {@link ModelRegistry#order} ordered them), explain of the deep models,
   * evaluate with the report, last so that it shows everything.
   */
  public PipelineResult pipeline(Ingest ingest, Ingest.Verified input, List<String> models, RunDirectory run,
      RunManifest manifest) {
    Ingest.Result data = ingest.write(input, run.data().toString(), false);
    manifest.inputs(data.manifest());
    manifest.stage("ingest", data.seconds(), Map.of("output", data.output()));
    Map<String, ModelMetrics> trained = train(data.output(), models, run, manifest, false);
    List<String> deep = deepModels(run);
    if (!deep.isEmpty()) {
      long start = System.nanoTime();
      explain(run, deep, data.output(), -1, false);
      manifest.stage("explain", (System.nanoTime() - start) / 1e9, Map.of("models", deep));
    }
    long start = System.nanoTime();
    Leaderboard leaderboard = evaluate(run, data.output());
    manifest.stage("evaluate", (System.nanoTime() - start) / 1e9, Map.of("best",
        leaderboard.models().get(0).model(), "leaderboard", run.leaderboardTable().toString(),
        "report", run.reportHtml().toString()));
    return new PipelineResult(run, data.output(), trained, leaderboard);
  }

  /**
   * Trains {@code models} (ordered by {@link ModelRegistry#order}) on the data set at {@code data},
   * recording each in the run manifest. With {@code resume}, models that already have metrics in
   * the run are kept.
   */
  public Map<String, ModelMetrics> train(String data, List<String> models, RunDirectory run, RunManifest manifest,
      boolean resume) {
    ModelRegistry registry = ModelRegistry.of(config);
    if (models.stream().anyMatch(model -> registry.spec(model).family() == ModelSpec.Family.DL4J)) {
      DeepTrainer.checkCluster(spark);
    }
    TrainingData split = TrainingData.load(spark, data, config);
    DeepTrainer.checkSettings(config, models, split.manifest().classNames());
    Map<String, ModelMetrics> results = new LinkedHashMap<>();
    try (ModelRegistry.Trainers trainers = registry.trainers(spark, run, resume)) {
      for (String model : models) {
        if (resume && HadoopFiles.exists(run.metrics(model), hadoop())) {
          out.printf("%-18s already trained in this run%n", model);
          results.put(model, ModelMetrics.read(run.metrics(model), hadoop()));
          continue;
        }
        long start = System.nanoTime();
        ModelMetrics metrics = trainers.of(model).train(model, split);
        results.put(model, metrics);
        manifest.stage("train-" + model, (System.nanoTime() - start) / 1e9, Map.of(
            "testAccuracy", metrics.accuracy(),
            "validationAccuracy", metrics.validationAccuracy(),
            "trainSeconds", metrics.trainSeconds()));
        out.printf("%-18s test accuracy %.4f, macro F1 %.4f, trained in %.1f s%n",
            model, metrics.accuracy(), metrics.macro().f1(), metrics.trainSeconds());
      }
    }
    return results;
  }

  /** Grad-CAM figures of {@code models}: {@code samples} correct ones per class (or the configured number when not positive). */
  public void explain(RunDirectory run, List<String> models, String data, int samples, boolean overwrite) {
    Config explain = config.config().getConfig("explain");
    GradCamGallery gallery = new GradCamGallery(spark, classNames(data),
        samples > 0 ? samples : explain.getInt("correct-per-class"), explain.getInt("wrong-per-class"),
        explain.getInt("upscale"));
    for (String model : models) {
      int figures = gallery.write(run, model, data, overwrite).size();
      out.printf("%-6s %d Grad-CAM figures in %s%n", model, figures, run.explanations(model));
    }
  }

  /**
   * The run's networks saved by DL4J, those Grad-CAM explains: not the specialists, whose network
   * alone answers only among their classes.
   */
  public List<String> deepModels(RunDirectory run) {
    return run.modelsWithPredictions().stream()
        .filter(model -> SavedDeepModel.isAt(run.model(model).toString(), hadoop())
            && SavedDeepModel.describe(run.model(model).toString(), hadoop()).specialist() == null).toList();
  }

  /**
   * Leaderboard, plots and report of {@code run}; {@code data} is the ingested data set, whose
   * test images the report shows.
   */
  public Leaderboard evaluate(RunDirectory run, String data) {
    Leaderboard leaderboard = new Evaluation(spark, classNames(data),
        config.config().getInt("evaluate.bootstrap-samples"), config.config().getInt("evaluate.examples-per-cell"),
        config.seed()).run(run);
    report(run, leaderboard, data);
    return leaderboard;
  }

  /** Draws the report of {@code run}, with thumbnails of the test images where the data set at {@code data} is. */
  public void report(RunDirectory run, Leaderboard leaderboard, String data) {
    boolean reachable = HadoopFiles.exists(new Path(data, ParquetLayout.MANIFEST), hadoop());
    if (!reachable) {
      LOG.warn("{}: no ingested data set there; the report's explorer lists images without thumbnails (--data)", data);
    }
    new RunReport(hadoop()).write(run, leaderboard, reachable ? ids -> TestImages.read(spark, data, ids) : null);
  }

  /** The data set's class names (image folders name their own), else the configured ones. */
  private List<String> classNames(String data) {
    return HadoopFiles.exists(new Path(data, ParquetLayout.MANIFEST), hadoop())
        ? IngestManifest.read(data, hadoop()).classNames() : config.classNames();
  }

  private Configuration hadoop() {
    return spark.sparkContext().hadoopConfiguration();
  }
}
