package io.fmnist.ensemble;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import com.typesafe.config.Config;
import io.fmnist.config.AppConfig;
import io.fmnist.data.ParquetLayout;
import io.fmnist.data.TrainingData;
import io.fmnist.errors.UsageException;
import io.fmnist.eval.ModelMetrics;
import io.fmnist.eval.Predictions;
import io.fmnist.fs.HadoopFiles;
import io.fmnist.fs.ParquetOutput;
import io.fmnist.models.ModelTrainer;
import io.fmnist.run.RunDirectory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seventh model, a stacked ensemble: an MLlib multinomial logistic regression over the base
 * models' predictions of the seeded validation split ({@link StackingFeatures}), its
 * regularisation chosen by cross-validation within that split. The test predictions of the bases
 * only ever pass through the fitted stacker. Beside it, as baselines, two probability votes of the
 * same bases ({@link ProbabilityVote}): {@code <name>-vote} (soft vote) and {@code
 * <name>-selection} (ensemble selection on the validation split), written as predictions and
 * metrics so that the leaderboard ranks them with the models.
 */
public final class EnsembleTrainer implements ModelTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(EnsembleTrainer.class);
  private static final String WEIGHT = "weight";
  private static final String FOLD = "fold";

  private final SparkSession spark;
  private final AppConfig config;
  private final RunDirectory run;
  private final boolean resume;

  public EnsembleTrainer(SparkSession spark, AppConfig config, RunDirectory run, boolean resume) {
    this.spark = spark;
    this.config = config;
    this.run = run;
    this.resume = resume;
  }

  /** The baselines' names, as the leaderboard lists them. */
  public static List<String> baselines(String name) {
    return List.of(name + "-vote", name + "-selection");
  }

  /**
   * The configured base models ({@code ensemble.base-models}), or, where it names none, every
   * model of {@code available} (the models trained in the run, or about to be) but the ensemble
   * {@code name} and its baselines.
   */
  public static List<String> bases(Config settings, List<String> available, String name) {
    List<String> configured = settings.getStringList("base-models");
    return configured.isEmpty()
        ? available.stream().filter(model -> !model.equals(name) && !baselines(name).contains(model)).toList()
        : configured;
  }

  @Override
  public ModelMetrics train(String name, TrainingData data) {
    Config settings = config.config().getConfig("ensemble");
    List<String> bases = bases(settings, run.modelsWithValidationPredictions(), name);
    if (bases.size() < 2) {
      throw new UsageException(name + ": needs the validation predictions of at least two base models, the run has "
          + (bases.isEmpty() ? "none" : bases));
    }
    Map<String, Dataset<Row>> validation = new LinkedHashMap<>();
    Map<String, Dataset<Row>> test = new LinkedHashMap<>();
    for (String base : bases) {
      for (var path : List.of(run.validation(base), run.predictions(base))) {
        if (!HadoopFiles.exists(path, hadoop())) {
          throw new UsageException(name + ": base model " + base + " has no predictions at " + path
              + " (train it in this run first)");
        }
      }
      validation.put(base, spark.read().parquet(run.validation(base).toString()));
      test.put(base, spark.read().parquet(run.predictions(base).toString()));
    }

    long start = System.nanoTime();
    Map<String, Double> classWeights = classWeights(settings, data.manifest().classNames());
    Fitted fitted = fitStacker(StackingFeatures.frame(bases, validation), settings, classWeights, config.seed());
    SavedEnsemble saved = new SavedEnsemble(bases, fitted.stacker().getRegParam(), classWeights);
    saved.save(fitted.stacker(), run.model(name), resume, hadoop());
    double trainSeconds = (System.nanoTime() - start) / 1e9;
    // Each validation image scored by a stacker fitted without it: the ensemble's own validation
    // predictions, and an honest measure of each variant (class weights) before the test set.
    ParquetOutput.write(Predictions.fromModelOutput(fitted.outOfFold()), run.validation(name).toString(), resume);
    fitted.cached().unpersist(false);
    ModelMetrics validated = ModelMetrics.compute(name, spark.read().parquet(run.validation(name).toString()),
        data.manifest().classNames(), new ModelMetrics.Training(0, 0, null, Map.of()));
    Map<String, Double> validationF1 = new LinkedHashMap<>();
    validated.perClass().forEach(c -> validationF1.put(c.name(), c.f1()));
    LOG.info("{}: stacker over {} fitted in {} s, reg-param {}; out-of-fold validation accuracy {}, F1 by class {}",
        name, bases, String.format("%.1f", trainSeconds), fitted.stacker().getRegParam(),
        String.format("%.4f", validated.accuracy()), validationF1);

    start = System.nanoTime();
    ParquetOutput.write(saved.predict(fitted.stacker(), test), run.predictions(name).toString(), resume);
    double inferenceSeconds = (System.nanoTime() - start) / 1e9;
    Map<String, Object> chosen = new LinkedHashMap<>();
    chosen.put("base-models", bases);
    chosen.put("reg-param", fitted.stacker().getRegParam());
    chosen.put("class-weights", classWeights);
    chosen.put("validation-f1", validationF1);
    ModelMetrics metrics = measure(name, data, new ModelMetrics.Training(trainSeconds,
        data.test().count() / inferenceSeconds, validated.accuracy(), chosen));
    votes(name, data, validation, test);
    return metrics;
  }

  /** The stacker fitted on every validation row, and each row scored by one fitted without its fold. */
  private record Fitted(LogisticRegressionModel stacker, Dataset<Row> outOfFold, Dataset<Row> cached) {}

  /**
   * Cross-validates the stacker's regularisation on {@code rows} (validation-split predictions
   * only: the test set cannot reach this method), refits the best on all of them, and scores each
   * fold with the best regularisation fitted on the other folds.
   */
  static Fitted fitStacker(Dataset<Row> rows, Config settings, Map<String, Double> classWeights, long seed) {
    LogisticRegression stacker = new LogisticRegression().setFamily("multinomial")
        .setFeaturesCol(StackingFeatures.FEATURES).setLabelCol(ParquetLayout.LABEL)
        .setMaxIter(settings.getInt("max-iter"));
    if (!classWeights.isEmpty()) {
      Column weight = lit(1.0);
      for (var entry : classWeights.entrySet()) {
        weight = when(col(ParquetLayout.LABEL).equalTo(Integer.parseInt(entry.getKey())), entry.getValue())
            .otherwise(weight);
      }
      rows = rows.withColumn(WEIGHT, weight);
      stacker.setWeightCol(WEIGHT);
    }
    double[] regParams = settings.getDoubleList("reg-params").stream().mapToDouble(Double::doubleValue).toArray();
    ParamMap[] grid = new ParamGridBuilder().addGrid(stacker.regParam(), regParams).build();
    int folds = settings.getInt("folds");
    // Folds by a seeded hash of the id, so that each row's fold is known: its out-of-fold score
    // comes from the cross-validation's own model for the other folds, not from a refit.
    Dataset<Row> cached = rows.withColumn(FOLD,
        pmod(xxhash64(col(ParquetLayout.ID), lit(seed)), lit(folds)).cast(DataTypes.IntegerType)).cache();
    CrossValidatorModel model = new CrossValidator().setEstimator(stacker).setEstimatorParamMaps(grid)
        .setEvaluator(new MulticlassClassificationEvaluator().setLabelCol(ParquetLayout.LABEL)
            .setMetricName("accuracy"))
        .setNumFolds(folds).setFoldCol(FOLD).setCollectSubModels(true)
        // Each fit is many small Spark jobs (one per L-BFGS iteration): several at once fill the cores.
        .setParallelism(rows.sparkSession().sparkContext().defaultParallelism())
        .fit(cached);
    LogisticRegressionModel best = (LogisticRegressionModel) model.bestModel();
    // The grid point Spark chose, by the regularisation of its best model.
    int chosen = IntStream.range(0, regParams.length).filter(i -> regParams[i] == best.getRegParam())
        .findFirst().orElseThrow();
    Dataset<Row> outOfFold = null;
    for (int fold = 0; fold < folds; fold++) {
      Dataset<Row> scored = model.subModels()[fold][chosen].transform(cached.filter(col(FOLD).equalTo(fold)));
      outOfFold = outOfFold == null ? scored : outOfFold.union(scored);
    }
    return new Fitted(best, outOfFold, cached);
  }

  /**
   * {@code ensemble.class-weights} (class name to the weight of its validation images in the
   * stacker's loss: a cost-sensitive stacker), keyed by label for the fit.
   */
  private static Map<String, Double> classWeights(Config settings, List<String> classNames) {
    Map<String, Double> byLabel = new LinkedHashMap<>();
    AppConfig.classWeights(settings, "ensemble.class-weights", classNames)
        .forEach((label, weight) -> byLabel.put(Integer.toString(label), weight));
    return byLabel;
  }

  /** The soft vote and the ensemble selection of the bases that give probabilities. */
  private void votes(String name, TrainingData data, Map<String, Dataset<Row>> validation,
      Map<String, Dataset<Row>> test) {
    long start = System.nanoTime();
    Map<String, double[][]> validationProbabilities = new LinkedHashMap<>();
    Map<String, double[][]> testProbabilities = new LinkedHashMap<>();
    int[] validationLabels = null;
    Predictions.Collected testRows = null;
    for (String base : validation.keySet()) {
      Predictions.Collected v = Predictions.collect(validation.get(base));
      if (!v.probabilities()) {
        continue; // the SVM's margins are no probabilities to average
      }
      Predictions.Collected t = Predictions.collect(test.get(base));
      if (testRows != null && !Arrays.equals(testRows.ids(), t.ids())) {
        throw new IllegalStateException(run.predictions(base) + ": other test images than the other bases'");
      }
      testRows = t;
      validationLabels = v.labels();
      validationProbabilities.put(base, v.scores());
      testProbabilities.put(base, testRows.scores());
    }
    if (validationProbabilities.size() < 2) {
      LOG.info("{}: fewer than two bases give probabilities; no vote baselines", name);
      return;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    List<String> names = baselines(name);
    ProbabilityVote uniform = ProbabilityVote.uniform(new ArrayList<>(validationProbabilities.keySet()));
    ProbabilityVote selected = ProbabilityVote.select(validationProbabilities, validationLabels,
        config.config().getInt("ensemble.selection-rounds"));
    for (int i = 0; i < 2; i++) {
      ProbabilityVote vote = i == 0 ? uniform : selected;
      long voteStart = System.nanoTime();
      double[][] probabilities = vote.apply(testProbabilities);
      List<Row> rows = new ArrayList<>();
      for (int r = 0; r < probabilities.length; r++) {
        rows.add(RowFactory.create(testRows.ids()[r], testRows.labels()[r], Predictions.argmax(probabilities[r]), probabilities[r]));
      }
      ParquetOutput.write(spark.createDataFrame(rows, Predictions.schema(true)).coalesce(1),
          run.predictions(names.get(i)).toString(), resume);
      double voteSeconds = seconds + (System.nanoTime() - voteStart) / 1e9;
      double validationAccuracy = accuracy(vote.apply(validationProbabilities), validationLabels);
      measure(names.get(i), data, new ModelMetrics.Training(voteSeconds, probabilities.length / voteSeconds,
          validationAccuracy, Map.of("weights", vote.weights())));
    }
  }

  private ModelMetrics measure(String name, TrainingData data, ModelMetrics.Training training) {
    ModelMetrics metrics = ModelMetrics.compute(name, spark.read().parquet(run.predictions(name).toString()),
        data.manifest().classNames(), training);
    metrics.write(run.metrics(name), hadoop());
    LOG.info("{}: test accuracy {} (macro F1 {}), validation accuracy {}", name,
        String.format("%.4f", metrics.accuracy()), String.format("%.4f", metrics.macro().f1()),
        String.format("%.4f", training.validationAccuracy()));
    return metrics;
  }

  private static double accuracy(double[][] probabilities, int[] labels) {
    long correct = 0;
    for (int i = 0; i < labels.length; i++) {
      correct += Predictions.argmax(probabilities[i]) == labels[i] ? 1 : 0;
    }
    return (double) correct / labels.length;
  }

  private Configuration hadoop() {
    return spark.sparkContext().hadoopConfiguration();
  }
}
