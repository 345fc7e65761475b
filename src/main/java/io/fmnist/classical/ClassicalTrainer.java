package io.fmnist.classical;

import com.typesafe.config.Config;
import io.fmnist.config.AppConfig;
import io.fmnist.data.ParquetLayout;
import io.fmnist.data.TrainingData;
import io.fmnist.deep.DeepTrainer;
import io.fmnist.errors.UsageException;
import io.fmnist.eval.ModelMetrics;
import io.fmnist.eval.Predictions;
import io.fmnist.fs.AtomicOutput;
import io.fmnist.fs.ParquetOutput;
import io.fmnist.models.ModelTrainer;
import io.fmnist.run.RunDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one Spark MLlib model of {@link ClassicalModel#ALL} into a run: features and classifier
 * as one Spark ML Pipeline, hyperparameters chosen on the validation split, the best
 * PipelineModel saved under {@code models/<name>/}, its test-set predictions under
 * {@code predictions/<name>/} (and the validation split's under {@code validation/<name>/}) and
 * their metrics in {@code metrics/<name>.json}.
 */
public final class ClassicalTrainer implements ModelTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(ClassicalTrainer.class);

  private final SparkSession spark;
  private final AppConfig config;
  private final RunDirectory run;
  private final Map<String, Extracted> extracted = new HashMap<>();

  public ClassicalTrainer(SparkSession spark, AppConfig config, RunDirectory run) {
    this.spark = spark;
    this.config = config;
    this.run = run;
  }

  /** The model names this trainer knows. */
  public static Set<String> models() {
    return ClassicalModel.ALL.keySet();
  }

  /** The deep models among the configured features of {@code name}: a hybrid's network. */
  public static List<String> consumes(String name, AppConfig config, List<String> deepModels) {
    return FeatureStages.networks(config.config().getConfig("classical." + name), deepModels);
  }

  /** Trains, saves, predicts and measures {@code name}; returns its test metrics. */
  @Override
  public ModelMetrics train(String name, TrainingData data) {
    ClassicalModel model = ClassicalModel.ALL.get(name);
    if (model == null) {
      throw new UsageException("unknown classical model '" + name + "' (" + String.join(", ", models()) + ")");
    }
    String origin = "classical." + name;
    Config settings = config.config().getConfig(origin);
    Map<String, String> networks = new LinkedHashMap<>();
    DeepTrainer.models().forEach(deep -> networks.put(deep, run.model(deep).toString()));
    FeatureStages features = FeatureStages.build(settings, config.config().getConfig("classical.hog"),
        data.size(), config.seed(), origin, networks, hadoop());
    ClassicalModel.Classifier classifier = model.builder().build(features.outputSize(),
        data.numClasses(), config.seed(), settings);
    SparkParams.apply(classifier.tuned(), settings.getConfig("params"), origin + ".params");
    Params stage = (Params) classifier.stage();
    stage.set(stage.getParam("featuresCol"), features.outputCol());
    stage.set(stage.getParam("labelCol"), ParquetLayout.LABEL);
    List<PipelineStage> stages = new ArrayList<>(features.fitted());
    stages.add(classifier.stage());
    Pipeline pipeline = new Pipeline().setStages(stages.toArray(PipelineStage[]::new));

    Extracted extracted = extract(features, data);
    Choice best = choose(name, pipeline,
        SparkParams.grid(classifier.tuned(), settings.getConfig("grid"), origin + ".grid"), extracted);
    PipelineModel whole = whole(features.extraction(), best.model(), data.train());
    save(whole, run.model(name));

    long start = System.nanoTime();
    Path predictions = run.predictions(name);
    ParquetOutput.write(Predictions.fromModelOutput(whole.transform(data.test())),
        predictions.toString(), false);
    double inferenceSeconds = (System.nanoTime() - start) / 1e9;
    Dataset<Row> written = spark.read().parquet(predictions.toString());
    long images = written.count();
    // From the features extracted already: a hybrid's network does not run over these images again.
    ParquetOutput.write(Predictions.fromModelOutput(best.model().transform(extracted.validation())),
        run.validation(name).toString(), false);

    Map<String, Object> chosen = new LinkedHashMap<>(settings.getConfig("params").root().unwrapped());
    for (ParamPair<?> pair : best.params().toList()) {
      chosen.put(pair.param().name(), pair.value());
    }
    ModelMetrics metrics = ModelMetrics.compute(name, written, data.manifest().classNames(),
        new ModelMetrics.Training(extracted.seconds() + best.seconds(), images / inferenceSeconds,
            best.validationAccuracy(), chosen));
    metrics.write(run.metrics(name), hadoop());
    LOG.info("{}: test accuracy {} (macro F1 {}), trained in {} s, {} test images/s",
        name, fmt(metrics.accuracy()), fmt(metrics.macro().f1()), String.format("%.1f", metrics.trainSeconds()),
        Math.round(metrics.inferenceImagesPerSecond()));
    return metrics;
  }

  private record Choice(PipelineModel model, ParamMap params, double validationAccuracy, double seconds) {}

  /**
   * The extracted features of the training and validation parts, computed once and cached for
   * every model that extracts the same ones; {@code seconds} is what computing them took here
   * (0 when another model already had), counted in this model's training time.
   */
  private record Extracted(Dataset<Row> train, Dataset<Row> validation, double seconds) {}

  private Extracted extract(FeatureStages features, TrainingData data) {
    Extracted cached = extracted.get(features.extractionKey());
    if (cached != null) {
      return new Extracted(cached.train(), cached.validation(), 0);
    }
    long start = System.nanoTime();
    PipelineModel extraction = whole(features.extraction(), null, data.train());
    Dataset<Row> train = extraction.transform(data.train())
        .select(ParquetLayout.LABEL, FeatureStages.EXTRACTED).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> validation = extraction.transform(data.validation())
        .select(ParquetLayout.ID, ParquetLayout.LABEL, FeatureStages.EXTRACTED).persist(StorageLevel.MEMORY_AND_DISK());
    long images = train.count() + validation.count();
    Extracted computed = new Extracted(train, validation, (System.nanoTime() - start) / 1e9);
    LOG.info("features {} of {} training and validation images in {} s, kept for every model that uses them",
        features.extractionKey(), images, String.format("%.1f", computed.seconds()));
    extracted.put(features.extractionKey(), computed);
    return computed;
  }

  /**
   * The extraction transformers followed by {@code fitted}'s stages as one PipelineModel (what is
   * saved and predicts from image bytes); a pipeline of transformers only fits without reading
   * {@code schemaOf}, whose schema it checks.
   */
  private static PipelineModel whole(List<Transformer> extraction, PipelineModel fitted, Dataset<Row> schemaOf) {
    List<PipelineStage> stages = new ArrayList<>(extraction);
    if (fitted != null) {
      stages.addAll(List.of(fitted.stages()));
    }
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(schemaOf);
  }

  /** Releases the cached features. */
  @Override
  public void close() {
    extracted.values().forEach(e -> {
      e.train().unpersist(false);
      e.validation().unpersist(false);
    });
    extracted.clear();
  }

  /** Fits every grid point on the training part and keeps the best on the validation part. */
  private Choice choose(String name, Pipeline pipeline, ParamMap[] grid, Extracted data) {
    MulticlassClassificationEvaluator accuracy = new MulticlassClassificationEvaluator()
        .setLabelCol(ParquetLayout.LABEL).setMetricName("accuracy");
    Choice best = null;
    for (int i = 0; i < grid.length; i++) {
      LOG.info("{}: fitting grid point {}/{} {}", name, i + 1, grid.length, describe(grid[i]));
      long start = System.nanoTime();
      PipelineModel fitted = pipeline.fit(data.train(), grid[i]);
      double seconds = (System.nanoTime() - start) / 1e9;
      double validation = accuracy.evaluate(fitted.transform(data.validation()));
      LOG.info("{}: grid point {}/{} fitted in {} s, validation accuracy {}", name, i + 1, grid.length,
          String.format("%.1f", seconds), fmt(validation));
      if (best == null || validation > best.validationAccuracy()) {
        best = new Choice(fitted, grid[i], validation, seconds);
      }
    }
    return best;
  }

  private void save(PipelineModel model, Path target) {
    try (AtomicOutput out = AtomicOutput.begin(target.toString(), false, hadoop())) {
      model.write().save(out.staging().toString());
      out.commit();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the model to " + target, e);
    }
  }

  private Configuration hadoop() {
    return spark.sparkContext().hadoopConfiguration();
  }

  private static String describe(ParamMap params) {
    List<String> parts = new ArrayList<>();
    for (ParamPair<?> pair : params.toList()) {
      parts.add(pair.param().name() + "=" + pair.value());
    }
    return parts.isEmpty() ? "" : "(" + String.join(", ", parts) + ")";
  }

  private static String fmt(double value) {
    return String.format("%.4f", value);
  }
}
