package io.fmnist.cli;

import io.fmnist.config.AppConfig;
import io.fmnist.errors.UsageException;
import io.fmnist.models.ModelRegistry;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.cli.Option;

/** The options that name the models to train, for {@code train}, {@code pipeline} and {@code nightly}. */
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
}
