package io.fmnist.ensemble;

import io.fmnist.errors.BadInputException;
import io.fmnist.eval.Predictions;
import io.fmnist.fs.AtomicOutput;
import io.fmnist.fs.HadoopFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The stacked ensemble as saved in {@code models/ensemble/}: {@code ensemble.json} names its base
 * models (siblings in the same {@code models/} folder, in the order of the stacker's features) and
 * the chosen regularisation; {@code stacker/} is the MLlib logistic regression over their outputs.
 */
public record SavedEnsemble(List<String> bases, double regParam, Map<String, Double> classWeights) {

  static final String DESCRIPTION = "ensemble.json";
  static final String STACKER = "stacker";

  /** Whether {@code dir} holds a stacked ensemble. */
  public static boolean isAt(String dir, Configuration conf) {
    return HadoopFiles.exists(new Path(dir, DESCRIPTION), conf);
  }

  public static SavedEnsemble describe(String dir, Configuration conf) {
    Path path = new Path(dir, DESCRIPTION);
    try {
      return HadoopFiles.readJson(path, SavedEnsemble.class, conf);
    } catch (UncheckedIOException e) {
      throw new BadInputException(path.toString(), "not an ensemble description (" + e.getMessage() + ")", e);
    }
  }

  /** The saved model folder of each base: beside the ensemble's own. */
  public Map<String, String> baseModels(String dir) {
    Map<String, String> out = new LinkedHashMap<>();
    bases.forEach(base -> out.put(base, new Path(new Path(dir).getParent(), base).toString()));
    return out;
  }

  void save(LogisticRegressionModel stacker, Path dir, boolean overwrite, Configuration conf) {
    try (AtomicOutput out = AtomicOutput.begin(dir.toString(), overwrite, conf)) {
      stacker.write().save(new Path(out.staging(), STACKER).toString());
      HadoopFiles.writeJson(new Path(out.staging(), DESCRIPTION), this, conf);
      out.commit();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the ensemble to " + dir, e);
    }
  }

  /**
   * Scores images from their base models' predictions ({@code baseScores}: base name to its
   * predictions of the images) with the stacker saved in {@code dir}.
   */
  public Dataset<Row> predict(String dir, Function<String, Dataset<Row>> baseScores) {
    Map<String, Dataset<Row>> predictions = new LinkedHashMap<>();
    bases.forEach(base -> predictions.put(base, baseScores.apply(base)));
    return predict(LogisticRegressionModel.load(new Path(dir, STACKER).toString()), predictions);
  }

  Dataset<Row> predict(LogisticRegressionModel stacker, Map<String, Dataset<Row>> predictions) {
    return Predictions.fromModelOutput(stacker.transform(StackingFeatures.frame(bases, predictions)));
  }
}
