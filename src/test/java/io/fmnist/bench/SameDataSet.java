package io.fmnist.bench;

import io.fmnist.config.AppConfig;
import io.fmnist.data.ParquetLayout;
import io.fmnist.run.SparkSessions;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Whether two ingested data sets hold the same rows (id, label, image bytes) in every split, as
 * ColourIngestTest checks on a subset: at full size, for the colour set's idx4 and image-folder
 * forms. Prints each split's row counts and the rows found in one and not the other; exits 1 when
 * they differ. Usage: SameDataSet DATA_A DATA_B; scripts/bench-image-folders.sh runs it.
 */
public final class SameDataSet {

  private SameDataSet() {}

  public static void main(String[] args) {
    SparkSession spark = SparkSessions.getOrCreate(AppConfig.defaults());
    boolean same = true;
    for (String split : List.of(ParquetLayout.TRAIN, ParquetLayout.TEST)) {
      Dataset<Row> a = spark.read().parquet(args[0] + "/" + split);
      Dataset<Row> b = spark.read().parquet(args[1] + "/" + split);
      long onlyA = a.except(b).count();
      long onlyB = b.except(a).count();
      System.out.printf("%s: %d and %d rows, %d only in the first, %d only in the second%n", split, a.count(),
          b.count(), onlyA, onlyB);
      same &= onlyA == 0 && onlyB == 0 && a.count() == b.count();
    }
    spark.stop();
    System.out.println(same ? "the two data sets are the same" : "the two data sets DIFFER");
    System.exit(same ? 0 : 1);
  }
}
