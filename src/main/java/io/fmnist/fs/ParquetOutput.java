package io.fmnist.fs;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Parquet written with Spark's writer, aside first and moved into place when complete. */
public final class ParquetOutput {

  private ParquetOutput() {}

  /** Writes {@code rows} to {@code uri}; an existing output is refused unless {@code overwrite}. */
  public static void write(Dataset<Row> rows, String uri, boolean overwrite) {
    try (AtomicOutput out = AtomicOutput.begin(uri, overwrite,
        rows.sparkSession().sparkContext().hadoopConfiguration())) {
      rows.write().parquet(out.staging().toString());
      out.commit();
    }
  }
}
