package io.fmnist.cli;

import io.fmnist.classical.ClassicalTrainer;
import io.fmnist.data.TrainingData;
import io.fmnist.errors.UsageException;
import io.fmnist.eval.ModelMetrics;
import io.fmnist.run.RunDirectory;
import io.fmnist.run.RunManifest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.Option;

/** The train stage as {@code train} and {@code pipeline} run it: each named model into the run. */
final class ModelTraining {

  static final String MODELS = "models";

  private ModelTraining() {}

  static Option modelsOption() {
    return Option.builder().longOpt(MODELS).hasArg().argName("lr,rf,...")
        .desc("models to train, comma-separated (default: train.models in the configuration; "
            + "available: " + String.join(", ", ClassicalTrainer.models()) + ")").build();
  }

  /** The models asked for, checked before any work starts. */
  static List<String> models(Invocation invocation) {
    List<String> models = invocation.has(MODELS)
        ? Arrays.stream(invocation.value(MODELS).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()
        : invocation.config().config().getStringList("train.models");
    if (models.isEmpty()) {
      throw new UsageException("no models to train");
    }
    for (String model : models) {
      if (!ClassicalTrainer.models().contains(model)) {
        throw new UsageException("unknown model '" + model + "' (available: "
            + String.join(", ", ClassicalTrainer.models()) + ")");
      }
    }
    return models;
  }

  /** Trains {@code models} on the data set at {@code data}, recording each in the run manifest. */
  static Map<String, ModelMetrics> run(Invocation invocation, String data, List<String> models,
      RunDirectory run, RunManifest manifest) {
    TrainingData split = TrainingData.load(invocation.spark(), data, invocation.config());
    ClassicalTrainer trainer = new ClassicalTrainer(invocation.spark(), invocation.config(), run);
    Map<String, ModelMetrics> results = new LinkedHashMap<>();
    for (String model : models) {
      long start = System.nanoTime();
      ModelMetrics metrics = trainer.train(model, split);
      results.put(model, metrics);
      manifest.stage("train-" + model, (System.nanoTime() - start) / 1e9, Map.of(
          "testAccuracy", metrics.accuracy(),
          "validationAccuracy", metrics.validationAccuracy(),
          "trainSeconds", metrics.trainSeconds()));
      invocation.out().printf("%-6s test accuracy %.4f, macro F1 %.4f, trained in %.1f s%n",
          model, metrics.accuracy(), metrics.macro().f1(), metrics.trainSeconds());
    }
    return results;
  }
}
