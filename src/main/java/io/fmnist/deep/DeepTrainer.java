package io.fmnist.deep;

import static org.apache.spark.sql.functions.col;

import com.typesafe.config.Config;
import io.fmnist.config.AppConfig;
import io.fmnist.data.ParquetLayout;
import io.fmnist.data.TrainingData;
import io.fmnist.errors.UsageException;
import io.fmnist.eval.ModelMetrics;
import io.fmnist.fs.ParquetOutput;
import io.fmnist.models.ModelTrainer;
import io.fmnist.run.RunDirectory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one DL4J network of {@link Architectures} into a run by synchronous parameter averaging
 * across the Spark workers ({@link SynchronousAveraging}: local threads in local mode, executor
 * cores on a cluster). After every
 * epoch: validation accuracy and loss on the seeded validation split, a progress line, a
 * checkpoint; early stopping on the validation accuracy. The best epoch's network is saved under
 * {@code models/<name>/}, its test and validation predictions and metrics as for the MLlib models, and the epochs
 * in {@code history/<name>.json}. A {@link Specialist} trains the same way from the run's network it
 * refines, on its classes' images (validated on its classes' validation images), and predicts with it.
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

  /** The configured specialists ({@code deep.<name>.of}) and the network each refines. */
  public static Map<String, String> specialists(AppConfig config) {
    return Specialist.configured(config.config().getConfig("deep"));
  }

  /** Refuses, before any model trains, a Spark application the deep training cannot run in. */
  public static void checkCluster(SparkSession spark) {
    SynchronousAveraging.requireBarrierMode(spark.sparkContext());
  }

  /**
   * Refuses, before any model trains, settings of a network among {@code models} that it could not
   * train with: a specialist for classes the data set lacks, a time budget without a unit.
   */
  public static void checkSettings(AppConfig config, List<String> models, List<String> classNames) {
    Config deep = config.config().getConfig("deep");
    Map<String, String> specialists = specialists(config);
    for (String name : models) {
      if (specialists.containsKey(name)) {
        Specialist.from(deep, name, classNames);
      }
      if (specialists.containsKey(name) || models().contains(name)) {
        EpochBudget.of(settings(deep, name, specialists), name);
      }
    }
  }

  /** A network's training settings: its section, or a specialist's over its network's. */
  private static Config settings(Config deep, String name, Map<String, String> specialists) {
    return specialists.containsKey(name) ? Specialist.settings(deep, name) : deep.getConfig(name);
  }

  /** Trains, saves, predicts and measures {@code name}; returns its test metrics. */
  @Override
  public ModelMetrics train(String name, TrainingData data) {
    Config deep = config.config().getConfig("deep");
    Map<String, String> specialists = specialists(config);
    Specialist specialist = specialists.containsKey(name)
        ? Specialist.from(deep, name, data.manifest().classNames()) : null;
    Config settings = settings(deep, name, specialists);
    String architecture = specialist == null ? name : specialist.of();
    ImageShape shape = ImageShape.of(data.size(), data.numClasses());
    Workers workers = Workers.of(spark, deep);
    NativeRuntime.configure(workers.threads());
    LOG.info("{}: {} workers x {} native threads, oneDNN layer helpers {}", name, workers.count(),
        workers.threads(), NativeRuntime.oneDnnActive() ? "on" : "off (slow built-in convolutions)");

    Map<Integer, Double> classWeights = AppConfig.classWeights(settings, "deep." + name + ".class-weights",
        data.manifest().classNames());
    DeepNetwork network = Architectures.create(architecture, settings, shape, config.seed());
    DeepNetwork general = specialist == null ? null : startFrom(network, name, specialist.of());
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
    EpochBudget budget = EpochBudget.of(settings, name);
    int epochs = fitToBudget(name, budget, history, budget.epochs(), network, settings);
    int patience = deep.getInt("patience");
    Dataset<Row> train = specialist == null ? data.train() : ofClasses(data.train(), specialist);
    Dataset<Row> validationRows = specialist == null ? data.validation() : ofClasses(data.validation(), specialist);
    SynchronousAveraging averagingTrainer = new SynchronousAveraging(spark.sparkContext(),
        train.select(ParquetLayout.LABEL, ParquetLayout.IMAGE), workers);
    long trainImages = train.count();
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
        Dataset<Row> scored = predict(network, validationRows, shape, workers, settings).cache();
        DeepInference.Quality validation = DeepInference.quality(scored);
        history = history.plus(new TrainingHistory.Epoch(epoch, trained.loss(), validation.accuracy(),
            validation.loss(), seconds, trained.images() / seconds,
            Architectures.learningRate(settings, epochs).valueAt(0, epoch - 1)));
        boolean improved = history.best().epoch() == epoch;
        if (improved) {
          best = network.copy();
          if (bestValidation != null) {
            bestValidation.unpersist(false);
          }
        }
        // A specialist's validation predictions cover its classes only: the whole split is scored at the end.
        if (improved && specialist == null) {
          bestValidation = scored;
        } else {
          scored.unpersist(false);
        }
        LOG.info("{}: loss {}, validation accuracy {} (loss {}){}, {} s, {} images/s ({} workers)", label,
            fmt(trained.loss()), fmt(validation.accuracy()), fmt(validation.loss()), improved ? " best" : "",
            String.format("%.1f", seconds), Math.round(trained.images() / seconds), trained.workers());
        LOG.debug("{}: the slowest worker fitted minibatches for {} s and averaged for {} s", label,
            String.format("%.1f", trained.fitSeconds()), String.format("%.1f", trained.averagingSeconds()));
        // Re-planned before the checkpoint, which saves the network's schedule with it.
        epochs = fitToBudget(name, budget, history, epochs, network, settings);
        checkpoints.write(history, network, best);
      }
    } finally {
      averagingTrainer.close();
    }
    Scorer scorer = specialist == null ? (net, images) -> predict(net, images, shape, workers, settings)
        : (net, images) -> DeepInference.predict(general, specialist, net, images, shape,
            settings.getBoolean("test-time-flip"), deep.getInt("inference-batch-size"), workers.threads());
    return finish(name, data, shape, workers, best, bestValidation, history, epochs, settings, specialist, scorer);
  }

  /**
   * The epochs to train in all: {@code epochs}, or fewer where {@code budget} fits fewer after
   * {@code history}, in which case {@code network}'s learning rate is re-planned to end at the new
   * last epoch (saved with it, so a resumed run goes on with it).
   */
  private static int fitToBudget(String name, EpochBudget budget, TrainingHistory history, int epochs,
      DeepNetwork network, Config settings) {
    int fits = budget.plan(history);
    if (fits >= epochs) {
      return epochs;
    }
    int done = history.completedEpochs();
    if (fits <= done) {
      LOG.info("{}: deep.{}.time-budget ({} s) spent after {} s of training, stopping after epoch {} of {}",
          name, name, String.format("%.1f", budget.seconds()), String.format("%.1f", history.trainSeconds()), done,
          budget.epochs());
      return done;
    }
    network.setLearningRate(Architectures.learningRate(settings, fits));
    LOG.info("{}: {} epochs of the {} configured fit in deep.{}.time-budget ({} s, {} s spent): the learning-rate "
        + "schedule now ends at epoch {}", name, fits, budget.epochs(), name, String.format("%.1f", budget.seconds()),
        String.format("%.1f", history.trainSeconds()), fits);
    return fits;
  }

  /** How the trained network scores images: alone, or as a specialist with the network it refines. */
  private interface Scorer {
    Dataset<Row> predict(DeepNetwork network, Dataset<Row> images);
  }

  /**
   * Gives the new {@code network} of specialist {@code name} the parameters of the run's trained
   * network {@code of} (BatchNorm's statistics included), and returns that network.
   */
  private DeepNetwork startFrom(DeepNetwork network, String name, String of) {
    String dir = run.model(of).toString();
    DeepNetwork trained = SavedDeepModel.describe(dir, hadoop()).load(dir, hadoop());
    if (trained.numParams() != network.numParams()) {
      throw new UsageException("deep." + name + ": the run's " + of + " has " + trained.numParams()
          + " parameters, the configured deep." + of + " " + network.numParams()
          + ": train the specialist with the settings its network was trained with");
    }
    network.model().setParams(trained.model().params().dup());
    return trained;
  }

  private static Dataset<Row> ofClasses(Dataset<Row> rows, Specialist specialist) {
    return rows.filter(col(ParquetLayout.LABEL).isin(specialist.classes().toArray()));
  }

  /** Saves the best network, writes its test and validation predictions, metrics and the history. */
  private ModelMetrics finish(String name, TrainingData data, ImageShape shape, Workers workers,
      DeepNetwork best, Dataset<Row> bestValidation, TrainingHistory history, int plannedEpochs, Config settings,
      Specialist specialist, Scorer scorer) {
    String architecture = specialist == null ? name : specialist.of();
    SavedDeepModel description = new SavedDeepModel(architecture, best.kind(), shape,
        Architectures.gradCamLayer(architecture, settings), Architectures.featureLayer(architecture),
        settings.getBoolean("test-time-flip"), specialist);
    SavedDeepModel.save(best, description, run.model(name), resume, hadoop());
    history.write(run.history(name), hadoop());

    long start = System.nanoTime();
    Path predictions = run.predictions(name);
    ParquetOutput.write(scorer.predict(best, data.test()), predictions.toString(), resume);
    double inferenceSeconds = (System.nanoTime() - start) / 1e9;
    Dataset<Row> written = spark.read().parquet(predictions.toString());
    long images = written.count();
    ParquetOutput.write(bestValidation != null ? bestValidation : scorer.predict(best, data.validation()),
        run.validation(name).toString(), resume);
    if (bestValidation != null) {
      bestValidation.unpersist(false);
    }
    // The best epoch's, but for a specialist: there, the best epoch's was on its classes alone.
    double validationAccuracy = DeepInference.quality(spark.read().parquet(run.validation(name).toString()))
        .accuracy();

    Map<String, Object> chosen = new LinkedHashMap<>(settings.root().unwrapped());
    chosen.put("parameters", best.numParams());
    chosen.put("best-epoch", history.best().epoch());
    chosen.put("epochs-planned", plannedEpochs);
    chosen.put("epochs-run", history.completedEpochs());
    chosen.put("workers", workers.count());
    chosen.put("threads-per-worker", workers.threads());
    chosen.put("onednn", NativeRuntime.oneDnnActive());
    chosen.put("bf16-on-amx", DirectConvolutionHelper.bf16OnAmx());
    chosen.put("layer-helpers", best.helpers());
    ModelMetrics metrics = ModelMetrics.compute(name, written, data.manifest().classNames(),
        new ModelMetrics.Training(history.trainSeconds(), images / inferenceSeconds,
            validationAccuracy, chosen));
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
