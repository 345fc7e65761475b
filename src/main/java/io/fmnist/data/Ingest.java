package io.fmnist.data;

import io.fmnist.config.AppConfig;
import io.fmnist.errors.BadInputException;
import io.fmnist.fs.AtomicOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest stage: IDX files (any Hadoop FileSystem, gzip or raw; idx3 grey or idx4 with
 * channels) or image folders ({@link ImageFolders}) to the Parquet layout of {@link ParquetLayout}.
 *
 * <p>Every input file is checked in full (header, length, labels in range, gzip integrity) and
 * hashed before anything is written. Then Spark tasks each read their own range of records
 * straight from the source files, so the driver never holds the images. The output is written
 * aside and moved into place when complete.
 */
public final class Ingest {

  private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);

  private final SparkSession spark;
  private final List<String> classNames;
  private final int imagesPerPartition;
  private final ImageFolders.Target folderTarget;

  /**
   * @param classNames the class of each label value of IDX input; labels must lie in {@code 0..size-1}
   * @param imagesPerPartition records per Spark task and Parquet file
   * @param folderTarget the size image folders' images are brought to
   */
  public Ingest(SparkSession spark, List<String> classNames, int imagesPerPartition, ImageFolders.Target folderTarget) {
    if (classNames.isEmpty() || classNames.size() > 256) {
      throw new IllegalArgumentException("need 1 to 256 class names, got " + classNames.size());
    }
    this.spark = spark;
    this.classNames = List.copyOf(classNames);
    this.imagesPerPartition = imagesPerPartition;
    this.folderTarget = folderTarget;
  }

  /** IDX input with these class names; image folders keep their sizes. */
  public Ingest(SparkSession spark, List<String> classNames, int imagesPerPartition) {
    this(spark, classNames, imagesPerPartition, ImageFolders.Target.FROM_DATA);
  }

  /** As configured: {@code data.class-names}, {@code data.images-per-partition}, {@code data.image-folders}. */
  public static Ingest of(SparkSession spark, AppConfig config) {
    return new Ingest(spark, config.classNames(), config.imagesPerPartition(), config.imageFolderTarget());
  }

  /** What an ingest made: the data set folder, its manifest, and the seconds it took. */
  public record Result(String output, IngestManifest manifest, double seconds) {}

  /**
   * Input that was checked in full and can be written (nothing has been written yet): the rows of
   * each split, and what to release once they are written or dropped.
   */
  public record Verified(IngestManifest manifest, Map<String, Dataset<Row>> rows, double seconds, Runnable release) {}

  /**
   * Ingests the IDX folder {@code input} into the data set folder {@code output}.
   *
   * @throws BadInputException if any input file is unusable; nothing is written then
   * @throws io.fmnist.errors.UsageException if {@code output} exists and {@code overwrite} is false
   */
  public Result run(String input, String output, boolean overwrite) {
    // Refuse an existing output before spending time checking the input.
    AtomicOutput.begin(output, overwrite, spark.sparkContext().hadoopConfiguration());
    return write(verify(input), output, overwrite);
  }

  /**
   * Finds the four IDX files in {@code input} and reads each once in full, or, where {@code input}
   * has no IDX training images but a {@code train/} folder, reads the image folders
   * ({@link ImageFolders}); the first problem found stops the ingest before anything is written.
   *
   * @throws BadInputException naming the file and the problem
   */
  public Verified verify(String input) {
    long start = System.nanoTime();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    if (!IdxSplit.present(input, ParquetLayout.TRAIN, conf) && ImageFolders.isAt(input, conf)) {
      return new ImageFolders(spark, folderTarget, imagesPerPartition).verify(input);
    }
    List<IdxSplit> splits = List.of(
        IdxSplit.open(input, ParquetLayout.TRAIN, conf),
        IdxSplit.open(input, ParquetLayout.TEST, conf));
    IdxSplit first = splits.get(0);
    Map<String, IngestManifest.Split> described = new LinkedHashMap<>();
    for (IdxSplit split : splits) {
      if (!size(split).equals(size(first))) {
        throw new BadInputException(split.images().uri(), "images are " + size(split) + " but "
            + first.images().uri() + " has " + size(first));
      }
      IdxFile.Scan images = split.images().scan(conf, 0);
      IdxFile.Scan labels = split.labels().scan(conf, classNames.size());
      described.put(split.name(), new IngestManifest.Split(split.count(), labels.labelCounts(),
          source(split.images(), images), source(split.labels(), labels)));
    }
    IngestManifest manifest = new IngestManifest(IngestManifest.FORMAT_VERSION, first.rows(),
        first.cols(), first.channels(), classNames, described);
    Map<String, Dataset<Row>> rows = new LinkedHashMap<>();
    splits.forEach(split -> rows.put(split.name(), rows(split)));
    return new Verified(manifest, rows, (System.nanoTime() - start) / 1e9, () -> { });
  }

  private static ImageSize size(IdxSplit split) {
    return ImageSize.of(split.rows(), split.cols(), split.channels());
  }

  /** Writes verified input as the Parquet data set {@code output}, aside first, then moved into place. */
  public Result write(Verified input, String output, boolean overwrite) {
    long start = System.nanoTime();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try (AtomicOutput out = AtomicOutput.begin(output, overwrite, conf)) {
      input.rows().forEach((split, rows) -> rows.write().parquet(new Path(out.staging(), split).toString()));
      input.manifest().write(out.staging(), conf);
      out.commit();
      double seconds = input.seconds() + (System.nanoTime() - start) / 1e9;
      IngestManifest manifest = input.manifest();
      LOG.info("ingest: {} train and {} test images of {} in {} s ({} s checking the input) -> {}",
          manifest.splits().get(ParquetLayout.TRAIN).count(),
          manifest.splits().get(ParquetLayout.TEST).count(),
          manifest.size(), String.format("%.1f", seconds),
          String.format("%.1f", input.seconds()), out.target());
      return new Result(out.target().toString(), manifest, seconds);
    } finally {
      input.release().run();
    }
  }

  private static IngestManifest.Source source(IdxFile file, IdxFile.Scan scan) {
    return new IngestManifest.Source(file.uri(), file.gzip(), scan.bytes(), scan.sha256());
  }

  /**
   * The records of a checked split as rows of the Parquet layout, read by Spark tasks that each
   * stream their own range of records from the source files.
   */
  public Dataset<Row> rows(IdxSplit split) {
    List<long[]> ranges = new ArrayList<>();
    for (long from = 0; from < split.count(); from += imagesPerPartition) {
      ranges.add(new long[] {from, Math.min(split.count(), from + imagesPerPartition)});
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<SerializableConfiguration> hadoopConf =
        jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
    JavaRDD<Row> rows = jsc.parallelize(ranges, ranges.size())
        .flatMap(new IdxRecordReader(split.images(), split.labels(), hadoopConf));
    return spark.createDataFrame(rows, ParquetLayout.SCHEMA);
  }
}
