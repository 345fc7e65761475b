package io.fmnist.data;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The ingested data set's contract (DESIGN.md "Parquet"): one row per image with {@code id}
 * (position in its source file), {@code label} and {@code image} (rows x cols unsigned bytes,
 * row-major, exactly the IDX bytes), under {@code train/} and {@code test/}, beside {@code manifest.json}.
 */
public final class ParquetLayout {

  public static final String ID = "id";
  public static final String LABEL = "label";
  public static final String IMAGE = "image";
  public static final String TRAIN = "train";
  public static final String TEST = "test";
  public static final String MANIFEST = "manifest.json";

  public static final StructType SCHEMA = new StructType()
      .add(ID, DataTypes.LongType, false)
      .add(LABEL, DataTypes.IntegerType, false)
      .add(IMAGE, DataTypes.BinaryType, false);

  private ParquetLayout() {}

  /**
   * The test split of the data set at {@code dir}, spread over the cores. Its files hold up to
   * {@code data.images-per-partition} images (the official 10,000 are one file of one Parquet row
   * group), and Spark reads a row group in one task however it splits the file: every model's test
   * predictions ran on one core.
   */
  public static Dataset<Row> readTest(SparkSession spark, String dir) {
    Dataset<Row> test = spark.read().parquet(new Path(dir, TEST).toString());
    return test.repartition(Math.max(test.rdd().getNumPartitions(), spark.sparkContext().defaultParallelism()));
  }
}
