package io.fmnist.data;

import io.fmnist.errors.BadInputException;
import io.fmnist.fs.HadoopFiles;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * {@code manifest.json} of an ingested data set: image shape, class names, and per split the
 * record count, images per class and the source files with the SHA-256 of their decompressed bytes.
 */
public record IngestManifest(
    int formatVersion,
    int rows,
    int cols,
    List<String> classNames,
    Map<String, Split> splits) {

  public static final int FORMAT_VERSION = 1;

  /** One split: its row count, rows per label, and the two IDX files it came from. */
  public record Split(long count, long[] classCounts, Source images, Source labels) {}

  /** A source IDX file: where it was read, whether it was gzip, its decompressed size and SHA-256. */
  public record Source(String uri, boolean gzip, long bytes, String sha256) {}

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
