package io.fmnist.data;

import io.fmnist.errors.BadInputException;
import io.fmnist.fs.HadoopFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * One split of an IDX data set: an idx3 image file and the idx1 label file that goes with it,
 * checked against each other. File names follow the official layout ({@code train-images-idx3-ubyte},
 * {@code t10k-labels-idx1-ubyte}, ...), each raw or with {@code .gz} appended.
 */
public record IdxSplit(String name, IdxFile images, IdxFile labels) {

  /** The official names: split {@code train} comes from {@code train-*}, {@code test} from {@code t10k-*}. */
  public static String filePrefix(String split) {
    return "test".equals(split) ? "t10k" : split;
  }

  /**
   * Finds and opens the split's two files in the folder {@code dir}, checking both headers and
   * that they hold the same number of records.
   *
   * @throws BadInputException naming the file and the problem
   */
  public static IdxSplit open(String dir, String split, Configuration conf) {
    String prefix = filePrefix(split);
    IdxFile images = IdxFile.open(locate(dir, prefix + "-images-idx3-ubyte", conf), 3, conf);
    IdxFile labels = IdxFile.open(locate(dir, prefix + "-labels-idx1-ubyte", conf), 1, conf);
    if (images.header().count() != labels.header().count()) {
      throw new BadInputException(labels.uri(), "holds " + labels.header().count()
          + " labels but " + images.uri() + " holds " + images.header().count() + " images");
    }
    return new IdxSplit(split, images, labels);
  }

  public long count() {
    return images.header().count();
  }

  public int rows() {
    return (int) images.header().dims()[1];
  }

  public int cols() {
    return (int) images.header().dims()[2];
  }

  /** The raw file if present, else the .gz one; a missing pair is reported under the raw name. */
  private static String locate(String dir, String fileName, Configuration conf) {
    Path raw = new Path(dir, fileName);
    Path gz = new Path(dir, fileName + ".gz");
    try {
      var fs = HadoopFiles.fileSystem(raw, conf);
      if (fs.exists(raw)) {
        return fs.makeQualified(raw).toString();
      }
      if (fs.exists(gz)) {
        return fs.makeQualified(gz).toString();
      }
      throw new BadInputException(fs.makeQualified(raw).toString(), "missing (nor is there a "
          + fileName + ".gz beside it)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}
