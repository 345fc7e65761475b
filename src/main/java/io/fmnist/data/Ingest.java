package io.fmnist.data;

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
 * The ingest stage: IDX files (any Hadoop FileSystem, gzip or raw) to the Parquet layout of
 * {@link ParquetLayout}.
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

  /**
   * @param classNames the class of each label value; labels must lie in {@code 0..size-1}
   * @param imagesPerPartition records per Spark task and Parquet file
   */
  public Ingest(SparkSession spark, List<String> classNames, int imagesPerPartition) {
    if (classNames.isEmpty() || classNames.size() > 256) {
      throw new IllegalArgumentException("need 1 to 256 class names, got " + classNames.size());
    }
    this.spark = spark;
    this.classNames = List.copyOf(classNames);
    this.imagesPerPartition = imagesPerPartition;
  }

  /** What an ingest made: the data set folder, its manifest, and the seconds it took. */
  public record Result(String output, IngestManifest manifest, double seconds) {}

  /** Input files that were checked in full and can be written; nothing has been written yet. */
  public record Verified(List<IdxSplit> splits, IngestManifest manifest, double seconds) {}

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
   * Finds the four IDX files in {@code input} and reads each once in full; the first problem
   * found stops the ingest before anything is written.
   *
   * @throws BadInputException naming the file and the problem
   */
  public Verified verify(String input) {
    long start = System.nanoTime();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<IdxSplit> splits = List.of(
        IdxSplit.open(input, ParquetLayout.TRAIN, conf),
        IdxSplit.open(input, ParquetLayout.TEST, conf));
    IdxSplit first = splits.get(0);
    Map<String, IngestManifest.Split> described = new LinkedHashMap<>();
    for (IdxSplit split : splits) {
      if (split.rows() != first.rows() || split.cols() != first.cols()) {
        throw new BadInputException(split.images().uri(), "images are " + split.rows() + "x"
            + split.cols() + " but " + first.images().uri() + " has " + first.rows() + "x" + first.cols());
      }
      IdxFile.Scan images = split.images().scan(conf, 0);
      IdxFile.Scan labels = split.labels().scan(conf, classNames.size());
      described.put(split.name(), new IngestManifest.Split(split.count(), labels.labelCounts(),
          source(split.images(), images), source(split.labels(), labels)));
    }
    IngestManifest manifest = new IngestManifest(IngestManifest.FORMAT_VERSION, first.rows(),
        first.cols(), classNames, described);
    return new Verified(splits, manifest, (System.nanoTime() - start) / 1e9);
  }

  /** Writes verified input as the Parquet data set {@code output}, aside first, then moved into place. */
  public Result write(Verified input, String output, boolean overwrite) {
    long start = System.nanoTime();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try (AtomicOutput out = AtomicOutput.begin(output, overwrite, conf)) {
      for (IdxSplit split : input.splits()) {
        rows(split).write().parquet(new Path(out.staging(), split.name()).toString());
      }
      input.manifest().write(out.staging(), conf);
      out.commit();
      double seconds = input.seconds() + (System.nanoTime() - start) / 1e9;
      IngestManifest manifest = input.manifest();
      LOG.info("ingest: {} train and {} test images of {}x{} in {} s ({} s checking the input) -> {}",
          manifest.splits().get(ParquetLayout.TRAIN).count(),
          manifest.splits().get(ParquetLayout.TEST).count(),
          manifest.rows(), manifest.cols(), String.format("%.1f", seconds),
          String.format("%.1f", input.seconds()), out.target());
      return new Result(out.target().toString(), manifest, seconds);
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
