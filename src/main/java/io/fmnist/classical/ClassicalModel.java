package io.fmnist.classical;

import com.typesafe.config.Config;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LinearSVC;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.param.Params;

/**
 * A Spark MLlib model by name: how to build its classifier. Its features and hyperparameters come
 * from {@code classical.<name>} in the configuration, so adding a model is adding one entry here.
 */
record ClassicalModel(String name, Builder builder) {

  /** The classifier stage, and the estimator whose parameters the configuration sets and tunes. */
  record Classifier(PipelineStage stage, Params tuned) {}

  interface Builder {
    Classifier build(int inputSize, int numClasses, long seed, Config model);
  }

  private static final Builder LOGISTIC_REGRESSION = (in, classes, seed, conf) -> {
    LogisticRegression lr = new LogisticRegression().setFamily("multinomial");
    return new Classifier(lr, lr);
  };

  private static final Builder RANDOM_FOREST = (in, classes, seed, conf) -> {
    RandomForestClassifier rf = new RandomForestClassifier().setSeed(seed);
    return new Classifier(rf, rf);
  };

  /**
   * The registry: lr, rf, svm, mlp, and the hybrids, whose configured features are a trained
   * network's activations: hybrid-lr (a logistic regression), hybrid-rf (a random forest).
   */
  static final Map<String, ClassicalModel> ALL = registry(
      new ClassicalModel("lr", LOGISTIC_REGRESSION),
      new ClassicalModel("rf", RANDOM_FOREST),
      // LinearSVC is binary only in MLlib: one-vs-rest over the classes, every class's binary SVM
      // fitted in the same passes over the data.
      new ClassicalModel("svm", (in, classes, seed, conf) -> {
        LinearSVC svc = new LinearSVC();
        return new Classifier(new OneVsRestSvm(svc), svc);
      }),
      new ClassicalModel("mlp", (in, classes, seed, conf) -> {
        int[] hidden = conf.getIntList("hidden-layers").stream().mapToInt(Integer::intValue).toArray();
        int[] layers = IntStream.concat(IntStream.concat(IntStream.of(in), IntStream.of(hidden)),
            IntStream.of(classes)).toArray();
        MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier().setSeed(seed).setLayers(layers);
        return new Classifier(mlp, mlp);
      }),
      new ClassicalModel("hybrid-lr", LOGISTIC_REGRESSION),
      new ClassicalModel("hybrid-rf", RANDOM_FOREST));

  private static Map<String, ClassicalModel> registry(ClassicalModel... models) {
    Map<String, ClassicalModel> byName = new LinkedHashMap<>();
    for (ClassicalModel model : models) {
      byName.put(model.name(), model);
    }
    return byName;
  }
}
