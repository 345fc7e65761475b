package io.fmnist.data;

import io.fmnist.errors.BadInputException;
import io.fmnist.fs.HadoopFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * One split of an IDX data set: an image file (idx3 grey, or idx4 with channels last) and the
 * idx1 label file that goes with it, checked against each other. File names follow the official
 * layout ({@code train-images-idx3-ubyte}, {@code t10k-images-idx4-ubyte},
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
    String grey = prefix + "-images-idx3-ubyte";
    String colour = prefix + "-images-idx4-ubyte";
    boolean hasColour = find(dir, colour, conf) != null;
    if (hasColour && find(dir, grey, conf) != null) {
      throw new BadInputException(find(dir, colour, conf), "beside " + grey + ": keep one image file per split");
    }
    IdxFile images = hasColour ? IdxFile.open(find(dir, colour, conf), 4, conf)
        : IdxFile.open(locate(dir, grey, conf), 3, conf);
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

  /** 1 for an idx3 file, the last dimension of an idx4 one. */
  public int channels() {
    long[] dims = images.header().dims();
    return dims.length > 3 ? (int) dims[3] : 1;
  }

  /** Whether there is an image file of this split (idx3 or idx4, raw or gzip) in {@code dir}. */
  public static boolean present(String dir, String split, Configuration conf) {
    String prefix = filePrefix(split);
    return find(dir, prefix + "-images-idx3-ubyte", conf) != null
        || find(dir, prefix + "-images-idx4-ubyte", conf) != null;
  }

  /** The raw file if present, else the .gz one; a missing pair is reported under the raw name. */
  private static String locate(String dir, String fileName, Configuration conf) {
    String found = find(dir, fileName, conf);
    if (found == null) {
      Path raw = new Path(dir, fileName);
      throw new BadInputException(HadoopFiles.fileSystem(raw, conf).makeQualified(raw).toString(),
          "missing (nor is there a " + fileName + ".gz beside it)");
    }
    return found;
  }

  /** The qualified URI of the raw file if present, else of the .gz one, else null. */
  private static String find(String dir, String fileName, Configuration conf) {
    Path raw = new Path(dir, fileName);
    Path gz = new Path(dir, fileName + ".gz");
    try {
      var fs = HadoopFiles.fileSystem(raw, conf);
      for (Path path : new Path[] {raw, gz}) {
        if (fs.exists(path)) {
          return fs.makeQualified(path).toString();
        }
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}
