package io.fmnist.deep;

import com.typesafe.config.Config;
import io.fmnist.config.AppConfig;
import io.fmnist.data.ParquetLayout;
import io.fmnist.data.TrainingData;
import io.fmnist.eval.ModelMetrics;
import io.fmnist.fs.ParquetOutput;
import io.fmnist.models.ModelTrainer;
import io.fmnist.run.RunDirectory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.schedule.ISchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one DL4J network of {@link Architectures} into a run by synchronous parameter averaging
 * across the Spark workers ({@link SynchronousAveraging}: local threads in local mode, executor
 * cores on a cluster). After every
 * epoch: validation accuracy and loss on the seeded validation split, a progress line, a
 * checkpoint; early stopping on the validation accuracy. The best epoch's network is saved under
 * {@code models/<name>/}, its test and validation predictions and metrics as for the MLlib models, and the epochs
 * in {@code history/<name>.json}.
 */
public final class DeepTrainer implements ModelTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(DeepTrainer.class);

  private final SparkSession spark;
  private final AppConfig config;
  private final RunDirectory run;
  private final boolean resume;

  /** With {@code resume}, training continues from the model's latest checkpoint in the run, if any. */
  public DeepTrainer(SparkSession spark, AppConfig config, RunDirectory run, boolean resume) {
    this.spark = spark;
    this.config = config;
    this.run = run;
    this.resume = resume;
  }

  public static Set<String> models() {
    return Architectures.names();
  }

  /** Refuses, before any model trains, a Spark application the deep training cannot run in. */
  public static void checkCluster(SparkSession spark) {
    SynchronousAveraging.requireBarrierMode(spark.sparkContext());
  }

  /** Trains, saves, predicts and measures {@code name}; returns its test metrics. */
  @Override
  public ModelMetrics train(String name, TrainingData data) {
    Config deep = config.config().getConfig("deep");
    Config settings = deep.getConfig(name);
    ImageShape shape = ImageShape.of(data.size(), data.numClasses());
    Workers workers = Workers.of(spark, deep);
    NativeRuntime.configure(workers.threads());
    LOG.info("{}: {} workers x {} native threads, oneDNN layer helpers {}", name, workers.count(),
        workers.threads(), NativeRuntime.oneDnnActive() ? "on" : "off (slow built-in convolutions)");

    Map<Integer, Double> classWeights = AppConfig.classWeights(settings, "deep." + name + ".class-weights",
        data.manifest().classNames());
    DeepNetwork network = Architectures.create(name, settings, shape, config.seed());
    Architectures.weightClasses(network, classWeights, shape.classes());
    DeepNetwork best = network;
    // The best epoch's validation predictions (a few thousand rows, cached), written at the end
    // instead of scoring the validation split once more; null after --resume restored the best.
    Dataset<Row> bestValidation = null;
    TrainingHistory history = TrainingHistory.empty(name);
    Checkpoints checkpoints = new Checkpoints(run.checkpoints(name), hadoop());
    if (resume) {
      var checkpoint = checkpoints.latest(network.kind());
      if (checkpoint.isPresent()) {
        network = checkpoint.get().last();
        best = checkpoint.get().best();
        history = checkpoint.get().history();
        LOG.info("{}: continuing after epoch {}", name, history.completedEpochs());
      }
    }
    LOG.info("{}: {} parameters; layers run by {}", name, network.numParams(), network.helpers());

    int batch = settings.getInt("batch-size-per-worker");
    int averaging = deep.getInt("averaging-frequency");
    MinibatchBuilder builder = new MinibatchBuilder(shape, Augmentation.from(settings),
        settings.getDouble("label-smoothing"));
    ISchedule learningRate = Architectures.learningRate(settings);
    int epochs = settings.getInt("epochs");
    int patience = deep.getInt("patience");
    SynchronousAveraging averagingTrainer = new SynchronousAveraging(spark.sparkContext(),
        data.train().select(ParquetLayout.LABEL, ParquetLayout.IMAGE), workers);
    long trainImages = data.train().count();
    try {
      for (int epoch = history.completedEpochs() + 1; epoch <= epochs; epoch++) {
        if (history.best() != null && history.completedEpochs() - history.best().epoch() >= patience) {
          LOG.info("{}: stopping early, no better validation accuracy for {} epochs", name, patience);
          break;
        }
        String label = String.format("%s epoch %d/%d", name, epoch, epochs);
        TrainingProgress progress = new TrainingProgress(label, trainImages,
            deep.getDouble("progress-interval-seconds"));
        long start = System.nanoTime();
        SynchronousAveraging.Epoch trained = averagingTrainer.fit(network, epoch - 1, builder, batch, averaging,
            config.seed() * 7919 + epoch, progress);
        double seconds = (System.nanoTime() - start) / 1e9;
        network = trained.network();
        Dataset<Row> scored = predict(network, data.validation(), shape, workers, settings).cache();
        DeepInference.Quality validation = DeepInference.quality(scored);
        history = history.plus(new TrainingHistory.Epoch(epoch, trained.loss(), validation.accuracy(),
            validation.loss(), seconds, trained.images() / seconds, learningRate.valueAt(0, epoch - 1)));
        boolean improved = history.best().epoch() == epoch;
        if (improved) {
          best = network.copy();
          if (bestValidation != null) {
            bestValidation.unpersist(false);
          }
          bestValidation = scored;
        } else {
          scored.unpersist(false);
        }
        checkpoints.write(history, network, best);
        LOG.info("{}: loss {}, validation accuracy {} (loss {}){}, {} s, {} images/s ({} workers)", label,
            fmt(trained.loss()), fmt(validation.accuracy()), fmt(validation.loss()), improved ? " best" : "",
            String.format("%.1f", seconds), Math.round(trained.images() / seconds), trained.workers());
        LOG.debug("{}: the slowest worker fitted minibatches for {} s and averaged for {} s", label,
            String.format("%.1f", trained.fitSeconds()), String.format("%.1f", trained.averagingSeconds()));
      }
    } finally {
      averagingTrainer.close();
    }
    return finish(name, data, shape, workers, best, bestValidation, history, settings);
  }

  /** Saves the best network, writes its test and validation predictions, metrics and the history. */
  private ModelMetrics finish(String name, TrainingData data, ImageShape shape, Workers workers,
      DeepNetwork best, Dataset<Row> bestValidation, TrainingHistory history, Config settings) {
    SavedDeepModel description = new SavedDeepModel(name, best.kind(), shape,
        Architectures.gradCamLayer(name, settings), Architectures.featureLayer(name),
        settings.getBoolean("test-time-flip"));
    SavedDeepModel.save(best, description, run.model(name), resume, hadoop());
    history.write(run.history(name), hadoop());

    long start = System.nanoTime();
    Path predictions = run.predictions(name);
    ParquetOutput.write(predict(best, data.test(), shape, workers, settings), predictions.toString(), resume);
    double inferenceSeconds = (System.nanoTime() - start) / 1e9;
    Dataset<Row> written = spark.read().parquet(predictions.toString());
    long images = written.count();
    ParquetOutput.write(bestValidation != null ? bestValidation : predict(best, data.validation(), shape, workers,
        settings), run.validation(name).toString(), resume);
    if (bestValidation != null) {
      bestValidation.unpersist(false);
    }

    Map<String, Object> chosen = new LinkedHashMap<>(settings.root().unwrapped());
    chosen.put("parameters", best.numParams());
    chosen.put("best-epoch", history.best().epoch());
    chosen.put("epochs-run", history.completedEpochs());
    chosen.put("workers", workers.count());
    chosen.put("threads-per-worker", workers.threads());
    chosen.put("onednn", NativeRuntime.oneDnnActive());
    chosen.put("bf16-on-amx", DirectConvolutionHelper.bf16OnAmx());
    chosen.put("layer-helpers", best.helpers());
    ModelMetrics metrics = ModelMetrics.compute(name, written, data.manifest().classNames(),
        new ModelMetrics.Training(history.trainSeconds(), images / inferenceSeconds,
            history.best().validationAccuracy(), chosen));
    metrics.write(run.metrics(name), hadoop());
    LOG.info("{}: test accuracy {} (macro F1 {}), best epoch {} of {}, trained in {} s, {} test images/s",
        name, fmt(metrics.accuracy()), fmt(metrics.macro().f1()), history.best().epoch(),
        history.completedEpochs(), String.format("%.1f", history.trainSeconds()),
        Math.round(metrics.inferenceImagesPerSecond()));
    return metrics;
  }

  private Dataset<Row> predict(DeepNetwork network, Dataset<Row> images, ImageShape shape, Workers workers,
      Config settings) {
    return DeepInference.predict(network, images, shape, settings.getBoolean("test-time-flip"),
        config.config().getInt("deep.inference-batch-size"), workers.threads());
  }

  private Configuration hadoop() {
    return spark.sparkContext().hadoopConfiguration();
  }

  private static String fmt(double value) {
    return String.format("%.4f", value);
  }
}
