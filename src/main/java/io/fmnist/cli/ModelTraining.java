package io.fmnist.cli;

import io.fmnist.config.AppConfig;
import io.fmnist.data.TrainingData;
import io.fmnist.deep.DeepTrainer;
import io.fmnist.errors.UsageException;
import io.fmnist.eval.ModelMetrics;
import io.fmnist.models.ModelRegistry;
import io.fmnist.models.ModelSpec;
import io.fmnist.run.RunDirectory;
import io.fmnist.run.RunManifest;
import io.fmnist.fs.HadoopFiles;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.Option;

/** The train stage as {@code train} and {@code pipeline} run it: each named model into the run. */
final class ModelTraining {

  static final String MODELS = "models";
  static final String RESUME = "resume";

  private ModelTraining() {}

  static Option modelsOption() {
    return Option.builder().longOpt(MODELS).hasArg().argName("lr,rf,...")
        .desc("models to train, comma-separated (default: train.models in the configuration; "
            + "available: " + String.join(", ", available()) + ")").build();
  }

  static Option resumeOption() {
    return Option.builder().longOpt(RESUME)
        .desc("continue in the existing run: models with metrics are kept, deep models continue from "
            + "their last checkpoint, the others train").build();
  }

  /** Every model name: MLlib's, DL4J's, the ensemble. */
  static List<String> available() {
    return ModelRegistry.of(AppConfig.defaults()).names();
  }

  /**
   * The models asked for, each after the models it consumes, checked before any work: unknown
   * names, and consumed models neither asked for nor among {@code trained} (the models of the run
   * that {@code --resume} continues), are usage errors.
   */
  static List<String> models(Invocation invocation, List<String> trained) {
    List<String> models = invocation.has(MODELS)
        ? Arrays.stream(invocation.value(MODELS).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()
        : invocation.config().config().getStringList("train.models");
    if (models.isEmpty()) {
      throw new UsageException("no models to train");
    }
    return ModelRegistry.of(invocation.config()).order(models, trained);
  }

  /**
   * Trains {@code models} (as {@link #models} ordered them) on the data set at {@code data},
   * recording each in the run manifest. With {@code resume}, models that already have metrics in
   * the run are skipped.
   */
  static Map<String, ModelMetrics> run(Invocation invocation, String data, List<String> models,
      RunDirectory run, RunManifest manifest, boolean resume) {
    ModelRegistry registry = ModelRegistry.of(invocation.config());
    if (models.stream().anyMatch(model -> registry.spec(model).family() == ModelSpec.Family.DL4J)) {
      DeepTrainer.checkCluster(invocation.spark());
    }
    TrainingData split = TrainingData.load(invocation.spark(), data, invocation.config());
    var hadoop = invocation.spark().sparkContext().hadoopConfiguration();
    Map<String, ModelMetrics> results = new LinkedHashMap<>();
    try (ModelRegistry.Trainers trainers = registry.trainers(invocation.spark(), run, resume)) {
      for (String model : models) {
        if (resume && HadoopFiles.exists(run.metrics(model), hadoop)) {
          invocation.out().printf("%-18s already trained in this run%n", model);
          results.put(model, ModelMetrics.read(run.metrics(model), hadoop));
          continue;
        }
        long start = System.nanoTime();
        ModelMetrics metrics = trainers.of(model).train(model, split);
        results.put(model, metrics);
        manifest.stage("train-" + model, (System.nanoTime() - start) / 1e9, Map.of(
            "testAccuracy", metrics.accuracy(),
            "validationAccuracy", metrics.validationAccuracy(),
            "trainSeconds", metrics.trainSeconds()));
        invocation.out().printf("%-18s test accuracy %.4f, macro F1 %.4f, trained in %.1f s%n",
            model, metrics.accuracy(), metrics.macro().f1(), metrics.trainSeconds());
      }
    }
    return results;
  }
}
