package io.fmnist.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import io.fmnist.config.AppConfig;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * An ingested data set as the model stages see it: the training rows split, by a seeded hash of
 * each row's id, into a training part and a validation part (for every choice of hyperparameters
 * and epochs), and the official test rows, used only for the final predictions.
 */
public record TrainingData(
    IngestManifest manifest, Dataset<Row> train, Dataset<Row> validation, Dataset<Row> test) {

  /** Hash buckets of the validation split; the fraction is resolved to a thousandth. */
  private static final int BUCKETS = 1000;

  /**
   * Reads the data set at {@code dir} (written by ingest), applies the configured caps
   * ({@code data.train-limit}, {@code data.test-limit}: the first rows by id) and splits it.
   * The split depends only on ids and the seed, not on partitioning, so it is the same on every run.
   */
  public static TrainingData load(SparkSession spark, String dir, AppConfig config) {
    IngestManifest manifest = IngestManifest.read(dir, spark.sparkContext().hadoopConfiguration());
    Dataset<Row> train = limit(spark.read().parquet(new Path(dir, ParquetLayout.TRAIN).toString()),
        config.config().getLong("data.train-limit"));
    Dataset<Row> test = limit(ParquetLayout.readTest(spark, dir), config.config().getLong("data.test-limit"));
    long validationBuckets = Math.round(config.config().getDouble("data.validation-fraction") * BUCKETS);
    Column inValidation = pmod(xxhash64(col(ParquetLayout.ID), lit(config.seed())), lit(BUCKETS))
        .lt(validationBuckets);
    return new TrainingData(manifest,
        train.filter(inValidation.unary_$bang()).cache(),
        train.filter(inValidation).cache(),
        test.cache());
  }

  /** The shape of every image: rows x cols x channels. */
  public ImageSize size() {
    return manifest.size();
  }

  public int numClasses() {
    return manifest.classNames().size();
  }

  private static Dataset<Row> limit(Dataset<Row> rows, long limit) {
    return limit > 0 ? rows.filter(col(ParquetLayout.ID).lt(limit)) : rows;
  }
}
