package io.fmnist.data;

import io.fmnist.config.AppConfig;
import io.fmnist.errors.BadInputException;
import io.fmnist.fs.HadoopFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Images to score, from any of: an ingested data set (its {@code test/} split), an IDX folder (its
 * {@code t10k-*} files, checked in full as ingest checks them), a folder of image files (at any
 * depth; of an image-folder data set, its {@code test/} folder), or a Parquet folder in the layout
 * of {@link ParquetLayout} ({@code label} optional), with their {@link ImageSize}.
 */
public final class ImageSource {

  /** The images and their size; image files also have their URI, column {@link ImageFolders#ORIGIN}. */
  public record Images(Dataset<Row> data, ImageSize size) {

    /** {@code predictions} of these images, joined by id with each image file's URI where they are files. */
    public Dataset<Row> withOrigins(Dataset<Row> predictions) {
      return Arrays.asList(data.columns()).contains(ImageFolders.ORIGIN)
          ? predictions.join(data.select(ParquetLayout.ID, ImageFolders.ORIGIN), ParquetLayout.ID)
          : predictions;
    }
  }

  private ImageSource() {}

  /**
   * The images at {@code uri}; image files are decoded as ingest decodes image folders (brought to
   * {@code data.image-folders} where it sets a size, else all of one size and colour).
   */
  public static Images read(SparkSession spark, String uri, AppConfig config) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path path = new Path(uri);
    FileSystem fs = HadoopFiles.fileSystem(path, conf);
    try {
      if (!fs.exists(path)) {
        throw new BadInputException(uri, "missing");
      }
      if (fs.exists(new Path(path, ParquetLayout.MANIFEST))) {
        IngestManifest manifest = IngestManifest.read(uri, conf);
        return new Images(ParquetLayout.readTest(spark, uri), manifest.size());
      }
      if (IdxSplit.present(uri, ParquetLayout.TEST, conf)) {
        IdxSplit split = IdxSplit.open(uri, ParquetLayout.TEST, conf);
        split.images().scan(conf, 0);
        split.labels().scan(conf, config.classNames().size());
        return new Images(Ingest.of(spark, config).rows(split),
            ImageSize.of(split.rows(), split.cols(), split.channels()));
      }
      Path files = ImageFolders.isAt(uri, conf) ? new Path(path, ParquetLayout.TEST) : path;
      if (fs.getFileStatus(path).isDirectory() && fs.exists(files)
          && ImageFolders.holdsImageFiles(files.toString(), conf)) {
        return new ImageFolders(spark, config.imageFolderTarget(), config.imagesPerPartition()).files(files.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + uri, e);
    }
    Dataset<Row> rows;
    try {
      rows = spark.read().parquet(uri);
    } catch (RuntimeException e) {
      throw new BadInputException(uri, "neither an ingested data set, an IDX folder nor Parquet ("
          + e.getMessage().lines().findFirst().orElse("") + ")", e);
    }
    for (String column : new String[] {ParquetLayout.ID, ParquetLayout.IMAGE}) {
      if (!Arrays.asList(rows.columns()).contains(column)) {
        throw new BadInputException(uri, "Parquet without the column '" + column + "' (has "
            + String.join(", ", rows.columns()) + ")");
      }
    }
    // Plain Parquet says nothing of the shape: every image must at least have the same size.
    List<Integer> sizes = rows.select(functions.length(functions.col(ParquetLayout.IMAGE))).distinct().limit(3)
        .as(Encoders.INT()).collectAsList();
    if (sizes.size() != 1) {
      throw new BadInputException(uri, sizes.isEmpty() ? "no images" : "images of different sizes " + sizes);
    }
    return new Images(rows, ImageSize.ofBytes(sizes.get(0)));
  }
}
