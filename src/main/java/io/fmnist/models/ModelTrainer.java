package io.fmnist.models;

import io.fmnist.data.TrainingData;
import io.fmnist.eval.ModelMetrics;

/**
 * What each family of models implements (MLlib's, DL4J's, the ensemble): train one model by name
 * into the run it was made for (model, test and validation predictions, metrics) and return its
 * test metrics.
 */
public interface ModelTrainer extends AutoCloseable {

  ModelMetrics train(String name, TrainingData data);

  /** Releases what the trainer kept for the models after the first (cached features). */
  @Override
  default void close() {}
}
