package io.fmnist.data;

import io.fmnist.errors.BadInputException;
import io.fmnist.fs.HadoopFiles;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * {@code manifest.json} of an ingested data set: image shape (channels 1 for grey; manifests
 * written before colour support have none and read as grey), class names, and per split the record
 * count, images per class and its sources with their SHA-256.
 */
public record IngestManifest(
    int formatVersion,
    int rows,
    int cols,
    int channels,
    List<String> classNames,
    Map<String, Split> splits) {

  public static final int FORMAT_VERSION = 1;

  public IngestManifest {
    channels = Math.max(channels, 1);
  }

  /**
   * One split: its row count, rows per label, and where it came from: two IDX files, or one
   * folder of class folders ({@code labels} null).
   */
  public record Split(long count, long[] classCounts, Source images, Source labels) {}

  /**
   * A source: where it was read, whether it was gzip, its decompressed size and SHA-256 (of an
   * image folder: over its files' relative paths and SHA-256s, in path order).
   */
  public record Source(String uri, boolean gzip, long bytes, String sha256) {}

  /** The shape of every image. */
  public ImageSize size() {
    return ImageSize.of(rows, cols, channels);
  }

  /** Writes the manifest into the data set folder {@code dir}. */
  public void write(Path dir, Configuration conf) {
    HadoopFiles.writeJson(new Path(dir, ParquetLayout.MANIFEST), this, conf);
  }

  /**
   * Reads the manifest of the ingested data set at {@code dir}.
   *
   * @throws BadInputException if it is missing or unreadable
   */
  public static IngestManifest read(String dir, Configuration conf) {
    Path path = new Path(dir, ParquetLayout.MANIFEST);
    if (!HadoopFiles.exists(path, conf)) {
      throw new BadInputException(path.toString(), "missing: not an ingested data set (run ingest first)");
    }
    try {
      return HadoopFiles.readJson(path, IngestManifest.class, conf);
    } catch (UncheckedIOException e) {
      throw new BadInputException(path.toString(), "unreadable manifest (" + e.getMessage() + ")", e);
    }
  }
}
