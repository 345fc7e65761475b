package io.fmnist.ensemble;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.transform;

import io.fmnist.data.ParquetLayout;
import io.fmnist.eval.Predictions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What the stacker learns from: the base models' predictions of the same images (the predictions
 * contract, joined by {@code id}) as one vector per image: each base's log-probabilities, or its raw
 * scores where it gives no probabilities (the SVM's margins), in the order of the bases.
 */
final class StackingFeatures {

  static final String FEATURES = "stacked";

  /** Probabilities below this are taken as it, so that a confident zero gives a finite feature. */
  private static final double FLOOR = 1e-6;

  private StackingFeatures() {}

  /**
   * One row per image that every base scored: {@code id}, {@code label} where the predictions have
   * it, and {@link #FEATURES}.
   */
  static Dataset<Row> frame(List<String> bases, Map<String, Dataset<Row>> predictions) {
    Dataset<Row> joined = null;
    List<Column> parts = new ArrayList<>();
    for (int i = 0; i < bases.size(); i++) {
      Dataset<Row> one = predictions.get(bases.get(i));
      String column = "base" + i;
      List<String> columns = Arrays.asList(one.columns());
      Column scores = columns.contains(Predictions.PROBABILITIES)
          ? transform(col(Predictions.PROBABILITIES), p -> log(greatest(p, lit(FLOOR))))
          : col(Predictions.SCORES);
      List<Column> selected = new ArrayList<>(List.of(col(ParquetLayout.ID), scores.as(column)));
      if (joined == null && columns.contains(ParquetLayout.LABEL)) {
        selected.add(col(ParquetLayout.LABEL));
      }
      Dataset<Row> part = one.select(selected.toArray(Column[]::new));
      joined = joined == null ? part : joined.join(part, ParquetLayout.ID);
      parts.add(col(column));
    }
    List<Column> out = new ArrayList<>(List.of(col(ParquetLayout.ID)));
    if (Arrays.asList(joined.columns()).contains(ParquetLayout.LABEL)) {
      out.add(col(ParquetLayout.LABEL));
    }
    out.add(functions.array_to_vector(concat(parts.toArray(Column[]::new))).as(FEATURES));
    return joined.select(out.toArray(Column[]::new));
  }
}
