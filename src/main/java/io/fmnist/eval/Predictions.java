package io.fmnist.eval;

import static org.apache.spark.sql.functions.col;

import io.fmnist.data.ParquetLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The predictions contract (DESIGN.md "run directory"): one row per image with {@code id},
 * {@code label} (when the input had labels), {@code prediction} and the per-class scores, as
 * {@code probabilities} where the model gives probabilities, otherwise as its raw {@code scores}.
 * The column name says which.
 */
public final class Predictions {

  public static final String PREDICTION = "prediction";
  public static final String PROBABILITIES = "probabilities";
  public static final String SCORES = "scores";

  private Predictions() {}

  /**
   * Labelled predictions in the driver, ordered by image id so that models line up image by image:
   * {@code labelsAndPredictions[0]} the labels, {@code [1]} the predictions, and each image's
   * probabilities (or scores, where {@code probabilities} is false).
   */
  public record Collected(long[] ids, int[][] labelsAndPredictions, double[][] scores, boolean probabilities) {

    public int[] labels() {
      return labelsAndPredictions[0];
    }
  }

  public static Collected collect(Dataset<Row> predictions) {
    boolean probabilities = Arrays.asList(predictions.columns()).contains(PROBABILITIES);
    List<Row> rows = predictions.select(col(ParquetLayout.ID), col(ParquetLayout.LABEL), col(PREDICTION),
        col(probabilities ? PROBABILITIES : SCORES)).orderBy(col(ParquetLayout.ID)).collectAsList();
    long[] ids = new long[rows.size()];
    int[][] out = new int[2][rows.size()];
    double[][] scores = new double[rows.size()][];
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      ids[i] = row.getLong(0);
      out[0][i] = row.getInt(1);
      out[1][i] = row.getInt(2);
      scores[i] = row.<Double>getList(3).stream().mapToDouble(Double::doubleValue).toArray();
    }
    return new Collected(ids, out, scores, probabilities);
  }

  /** The class of the highest score (the first of equal ones). */
  public static int argmax(double[] scores) {
    int best = 0;
    for (int i = 1; i < scores.length; i++) {
      if (scores[i] > scores[best]) {
        best = i;
      }
    }
    return best;
  }

  /** The contract's schema for probabilities, with the {@code label} column where {@code labelled}. */
  public static StructType schema(boolean labelled) {
    StructType schema = new StructType().add(ParquetLayout.ID, DataTypes.LongType, false);
    if (labelled) {
      schema = schema.add(ParquetLayout.LABEL, DataTypes.IntegerType, false);
    }
    return schema.add(PREDICTION, DataTypes.IntegerType, false)
        .add(PROBABILITIES, DataTypes.createArrayType(DataTypes.DoubleType, false), false);
  }

  /**
   * Selects the contract's columns from the output of a Spark ML classification model
   * ({@code prediction}, and {@code probability} or {@code rawPrediction} vectors).
   */
  public static Dataset<Row> fromModelOutput(Dataset<Row> transformed) {
    List<String> columns = Arrays.asList(transformed.columns());
    List<Column> selected = new ArrayList<>();
    selected.add(col(ParquetLayout.ID));
    if (columns.contains(ParquetLayout.LABEL)) {
      selected.add(col(ParquetLayout.LABEL));
    }
    selected.add(col("prediction").cast("int").as(PREDICTION));
    if (columns.contains("probability")) {
      selected.add(functions.vector_to_array(col("probability"), "float64").as(PROBABILITIES));
    } else {
      selected.add(functions.vector_to_array(col("rawPrediction"), "float64").as(SCORES));
    }
    return transformed.select(selected.toArray(Column[]::new));
  }
}
