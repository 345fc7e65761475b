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
