package io.fmnist.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestTest {

  private final SparkSession spark = TestSpark.session();

  @Test
  void everyTestRowEqualsItsIdxRecord(@TempDir Path tmp) throws Exception {
    Path input = FashionMnist.subset(tmp.resolve("in"), 1000, 10, false);
    for (String name : List.of(FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS)) {
      Files.delete(input.resolve(name));
      Files.copy(FashionMnist.dir().resolve(name + ".gz"), input.resolve(name + ".gz"));
    }
    String output = tmp.resolve("out").toString();

    Ingest.Result result = new Ingest(spark, classNames(), 3000).run(input.toString(), output, false);

    Dataset<Row> test = spark.read().parquet(output + "/test");
    assertEquals(ParquetLayout.SCHEMA.fieldNames().length, test.schema().fields().length);
    assertEquals(List.of("id", "label", "image"), Arrays.asList(test.schema().fieldNames()));
    List<Row> rows = test.orderBy("id").collectAsList();
    byte[] images = FashionMnist.decompressed(FashionMnist.TEST_IMAGES);
    byte[] labels = FashionMnist.decompressed(FashionMnist.TEST_LABELS);
    assertEquals(10_000, rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      assertEquals(i, row.getLong(0));
      assertEquals(labels[8 + i] & 0xff, row.getInt(1), "label of " + i);
      assertArrayEquals(Arrays.copyOfRange(images, 16 + i * 784, 16 + (i + 1) * 784),
          (byte[]) row.get(2), "image " + i);
    }

    IngestManifest manifest = IngestManifest.read(output, spark.sparkContext().hadoopConfiguration());
    assertEquals(result.manifest().splits().get("train").images(), manifest.splits().get("train").images());
    assertEquals(28, manifest.rows());
    assertEquals(classNames(), manifest.classNames());
    assertEquals(1000, manifest.splits().get("train").count());
    assertEquals(1000, spark.read().parquet(output + "/train").count());
    assertEquals("5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        manifest.splits().get("test").images().sha256());
    assertTrue(manifest.splits().get("test").images().gzip());
    assertEquals(1000, Arrays.stream(manifest.splits().get("test").classCounts()).min().orElseThrow());
  }

  @Test
  void otherImageSizesCountsAndClassesWork(@TempDir Path tmp) throws Exception {
    // 14x14 images (every other pixel of the real ones) in 3 classes (real label mod 3), 700 and 300 of them.
    byte[] images = FashionMnist.decompressed(FashionMnist.TRAIN_IMAGES);
    byte[] labels = FashionMnist.decompressed(FashionMnist.TRAIN_LABELS);
    Path input = Files.createDirectories(tmp.resolve("in"));
    int[][] splits = {{0, 700}, {700, 300}};
    String[][] names = {{"train-images-idx3-ubyte", "train-labels-idx1-ubyte"}, {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}};
    for (int s = 0; s < 2; s++) {
      int from = splits[s][0];
      int count = splits[s][1];
      byte[] small = new byte[count * 196];
      byte[] classes = new byte[count];
      for (int i = 0; i < count; i++) {
        for (int p = 0; p < 196; p++) {
          small[i * 196 + p] = images[16 + (from + i) * 784 + (p / 14) * 56 + (p % 14) * 2];
        }
        classes[i] = (byte) (labels[8 + from + i] % 3);
      }
      FashionMnist.write(input, names[s][0], s == 0, FashionMnist.idx(new int[] {count, 14, 14}, 0x08, small, 0, small.length));
      FashionMnist.write(input, names[s][1], s == 1, FashionMnist.idx(new int[] {count}, 0x08, classes, 0, count));
    }
    String output = tmp.resolve("out").toString();

    Ingest.Result result = new Ingest(spark, List.of("a", "b", "c"), 250).run(input.toString(), output, false);

    assertEquals(14, result.manifest().rows());
    assertEquals(List.of("a", "b", "c"), result.manifest().classNames());
    assertEquals(300, Arrays.stream(result.manifest().splits().get("test").classCounts()).sum());
    Row first = spark.read().parquet(output + "/train").orderBy("id").first();
    assertEquals(196, ((byte[]) first.get(2)).length);
    assertEquals(labels[8] % 3, first.getInt(1));
    assertEquals(700, spark.read().parquet(output + "/train").count());
  }

  @Test
  void theTestSplitIsReadOnEveryCore(@TempDir Path tmp) {
    Path input = FashionMnist.subset(tmp.resolve("in"), 1000, 1000, false);
    String output = tmp.resolve("out").toString();
    new Ingest(spark, classNames(), 15000).run(input.toString(), output, false);

    // One file of one row group: Spark reads it in one task, however many splits it makes of the file.
    Dataset<Row> plain = spark.read().parquet(output + "/test");
    assertEquals(1, nonEmptyPartitions(plain));
    Dataset<Row> test = ParquetLayout.readTest(spark, output);
    assertEquals(spark.sparkContext().defaultParallelism(), nonEmptyPartitions(test));
    assertEquals(plain.orderBy("id").collectAsList(), test.orderBy("id").collectAsList());
  }

  private static long nonEmptyPartitions(Dataset<Row> rows) {
    return rows.groupBy(functions.spark_partition_id()).count().count();
  }

  private static List<String> classNames() {
    return io.fmnist.config.AppConfig.defaults().classNames();
  }
}
