package io.fmnist.data;

import io.fmnist.errors.BadInputException;
import io.fmnist.fs.AtomicOutput;
import io.fmnist.fs.HadoopFiles;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A colour data set made from a grey one (Fashion-MNIST), seeded and reproducible: each item,
 * centred on a {@code size x size} canvas, tinted with a random colour over a random textured
 * background (two colours mixed by a sine grating of random angle, frequency and phase, plus
 * noise), RGB. Written in both input forms that ingest reads: {@code idx/} (idx4 images, channels
 * last, and the source's labels, gzip) and {@code folders/} ({@code train|test/<k>-<class>/<id>.png},
 * the label first so that the folders sort in label order, the id as the file name so that ingest
 * gives every image its IDX id): both ingest to the same images, labels and ids.
 */
public final class ColourFashion {

  /** A grey item brighter than this (of 255) is fully the tint. */
  private static final double INK = 255.0;

  private final int size;
  private final long seed;
  private final int limit;

  /**
   * @param size rows and columns of the colour images (at least the source's)
   * @param limit images per split taken from the start of each (0 = all)
   */
  public ColourFashion(int size, long seed, int limit) {
    this.size = size;
    this.seed = seed;
    this.limit = limit;
  }

  /** What was written: images per split and the two folders. */
  public record Result(long train, long test, String idx, String folders) {}

  /** Reads the IDX folder {@code input} (grey, as ingest checks it) and writes the colour set into {@code output}. */
  public Result write(String input, String output, List<String> classNames, boolean overwrite, Configuration conf) {
    List<IdxSplit> splits = List.of(IdxSplit.open(input, ParquetLayout.TRAIN, conf),
        IdxSplit.open(input, ParquetLayout.TEST, conf));
    long[] counts = new long[2];
    try (AtomicOutput out = AtomicOutput.begin(output, overwrite, conf)) {
      for (int s = 0; s < splits.size(); s++) {
        IdxSplit split = splits.get(s);
        if (split.channels() != 1 || split.rows() > size || split.cols() > size) {
          throw new BadInputException(split.images().uri(), "needs grey images of at most " + size + "x" + size
              + ", has " + ImageSize.of(split.rows(), split.cols(), split.channels()));
        }
        split.labels().scan(conf, classNames.size());
        int n = (int) (limit > 0 ? Math.min(limit, split.count()) : split.count());
        List<byte[]> grey = read(split.images(), n, conf);
        byte[] labels = new byte[n];
        List<byte[]> labelRecords = read(split.labels(), n, conf);
        for (int i = 0; i < n; i++) {
          labels[i] = labelRecords.get(i)[0];
        }
        int salt = s;
        List<byte[]> colour = IntStream.range(0, n).parallel()
            .mapToObj(i -> colourise(grey.get(i), split.rows(), split.cols(), new Random(mix(salt, i))))
            .toList();
        String prefix = IdxSplit.filePrefix(split.name());
        Path idx = new Path(out.staging(), "idx");
        writeIdx(new Path(idx, prefix + "-images-idx4-ubyte.gz"), new int[] {n, size, size, 3}, colour, conf);
        writeIdx(new Path(idx, prefix + "-labels-idx1-ubyte.gz"), new int[] {n}, List.of(labels), conf);
        Path folder = new Path(new Path(out.staging(), "folders"), split.name());
        IntStream.range(0, n).parallel().forEach(i -> HadoopFiles.writeBytes(
            new Path(new Path(folder, folderName(labels[i] & 0xff, classNames)), String.format("%05d.png", i)),
            png(colour.get(i)), conf));
        counts[s] = n;
      }
      out.commit();
      return new Result(counts[0], counts[1], new Path(out.target(), "idx").toString(),
          new Path(out.target(), "folders").toString());
    }
  }

  /** The folder of label {@code k}: {@code <k>-<class name>}, characters other than letters, digits and - as _. */
  public static String folderName(int k, List<String> classNames) {
    return k + "-" + classNames.get(k).replaceAll("[^A-Za-z0-9-]", "_");
  }

  /** One grey item of {@code rows x cols}, centred, tinted, over a textured background: RGB, channels last. */
  byte[] colourise(byte[] grey, int rows, int cols, Random random) {
    double[] first = randomColour(random);
    double[] second = randomColour(random);
    double angle = random.nextDouble() * Math.PI;
    double frequency = 0.15 + random.nextDouble() * 0.6;
    double phase = random.nextDouble() * 2 * Math.PI;
    double[] background = mean(first, second);
    double[] tint = randomColour(random);
    // A tint close in brightness to the background would hide the item: move it to the other end.
    if (Math.abs(luma(tint) - luma(background)) < 60) {
      for (int c = 0; c < 3; c++) {
        tint[c] = luma(background) > 127 ? tint[c] * 0.3 : 255 - (255 - tint[c]) * 0.3;
      }
    }
    int top = (size - rows) / 2;
    int left = (size - cols) / 2;
    byte[] out = new byte[size * size * 3];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double wave = 0.5 + 0.5 * Math.sin(frequency * (x * Math.cos(angle) + y * Math.sin(angle)) + phase);
        double t = Math.min(1, Math.max(0, wave + 0.15 * random.nextGaussian()));
        int r = y - top;
        int c = x - left;
        double alpha = r >= 0 && r < rows && c >= 0 && c < cols ? (grey[r * cols + c] & 0xff) / INK : 0;
        for (int ch = 0; ch < 3; ch++) {
          double back = (1 - t) * first[ch] + t * second[ch];
          out[(y * size + x) * 3 + ch] = (byte) Math.round((1 - alpha) * back + alpha * tint[ch]);
        }
      }
    }
    return out;
  }

  private static double[] randomColour(Random random) {
    return new double[] {random.nextInt(256), random.nextInt(256), random.nextInt(256)};
  }

  private static double[] mean(double[] a, double[] b) {
    return new double[] {(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2};
  }

  private static double luma(double[] rgb) {
    return ImagePixels.luminance((int) rgb[0], (int) rgb[1], (int) rgb[2]);
  }

  /** Each image's own generator: the same image whatever the thread or the limit. */
  private long mix(int split, int index) {
    return seed * 0x9E3779B97F4A7C15L + split * 1_000_003L + index;
  }

  private static List<byte[]> read(IdxFile file, int count, Configuration conf) {
    List<byte[]> records = new ArrayList<>(count);
    try (InputStream in = file.openRecords(0, conf)) {
      for (int i = 0; i < count; i++) {
        records.add(in.readNBytes(file.header().recordBytes()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file.uri(), e);
    }
    return records;
  }

  private static void writeIdx(Path path, int[] dims, List<byte[]> records, Configuration conf) {
    try (OutputStream file = HadoopFiles.fileSystem(path, conf).create(path);
        DataOutputStream out = new DataOutputStream(new GZIPOutputStream(file, 1 << 16))) {
      out.writeInt(IdxHeader.UNSIGNED_BYTE << 8 | dims.length);
      for (int dim : dims) {
        out.writeInt(dim);
      }
      for (byte[] record : records) {
        out.write(record);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  private byte[] png(byte[] rgb) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(ImagePixels.toImage(rgb, ImageSize.of(size, size, 3)), "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode PNG", e);
    }
    return out.toByteArray();
  }
}
