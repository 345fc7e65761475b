package io.fmnist.data;

import static org.apache.spark.sql.functions.col;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Some test images of an ingested data set, by id: bytes of {@code size} each, as ingested.
 * The report shows them as thumbnails of the misclassified images.
 */
public record TestImages(ImageSize size, Map<Long, byte[]> pixels) {

  /** The test images of the data set at {@code data} whose ids are {@code ids}. */
  public static TestImages read(SparkSession spark, String data, Collection<Long> ids) {
    IngestManifest manifest = IngestManifest.read(data, spark.sparkContext().hadoopConfiguration());
    Map<Long, byte[]> pixels = new HashMap<>();
    if (!ids.isEmpty()) {
      for (Row row : spark.read().parquet(new Path(data, ParquetLayout.TEST).toString())
          .select(ParquetLayout.ID, ParquetLayout.IMAGE).filter(col(ParquetLayout.ID).isin(ids.toArray()))
          .collectAsList()) {
        pixels.put(row.getLong(0), row.getAs(1));
      }
    }
    return new TestImages(manifest.size(), pixels);
  }
}
