package io.fmnist.data;

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
}
