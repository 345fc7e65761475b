package io.fmnist.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.udf;

import io.fmnist.errors.BadInputException;
import io.fmnist.fs.HadoopFiles;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobFilter;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Image folders as a data set: {@code INPUT/train/<class>/*} and {@code INPUT/test/<class>/*}
 * (the layout of Keras' {@code image_dataset_from_directory} and torchvision's
 * {@code ImageFolder}), read through Spark's image data source. The classes are the train
 * folder's subfolders, sorted by name, labelled 0.. in that order; an image's id is its position
 * in its split when the files are sorted by file name, then path (so files named by their index
 * keep it). Images are converted to grey or RGB, channels last, and resized bilinearly to the
 * target size when they differ; what is not configured ({@link Target} 0) must agree across all
 * images. The folders are checked in full before anything is written.
 */
public final class ImageFolders {

  /** The column with each image file's URI. */
  public static final String ORIGIN = "origin";

  /** The size images are brought to; 0 takes rows, cols or channels from the data, where all images must agree. */
  public record Target(int rows, int cols, int channels) implements Serializable {

    public static final Target FROM_DATA = new Target(0, 0, 0);

    public Target {
      if (channels != 0 && channels != 1 && channels != 3) {
        throw new IllegalArgumentException("channels must be 0 (from the data), 1 (grey) or 3 (RGB), not " + channels);
      }
      if ((rows == 0) != (cols == 0) || rows < 0 || cols < 0) {
        throw new IllegalArgumentException("rows and cols must both be positive or both 0, not " + rows + "x" + cols);
      }
    }
  }

  private static final String OPEN_COST = "spark.sql.files.openCostInBytes";

  /** The names of the files taken for images where nothing else says so (a folder of loose files). */
  static final String IMAGE_FILES = "*.{png,PNG,jpg,JPG,jpeg,JPEG,bmp,BMP,gif,GIF}";

  /** Loose image files: id, image and origin, the file's URI. */
  private static final StructType FILES_SCHEMA = new StructType()
      .add(ParquetLayout.ID, DataTypes.LongType, false)
      .add(ParquetLayout.IMAGE, DataTypes.BinaryType, false)
      .add(ORIGIN, DataTypes.StringType, false);

  private final SparkSession spark;
  private final Target target;
  private final int imagesPerPartition;

  public ImageFolders(SparkSession spark, Target target, int imagesPerPartition) {
    this.spark = spark;
    this.target = target;
    this.imagesPerPartition = imagesPerPartition;
  }

  /** Whether {@code input} holds a {@code train} folder (the image-folder form). */
  public static boolean isAt(String input, Configuration conf) {
    Path train = new Path(input, ParquetLayout.TRAIN);
    try {
      FileSystem fs = HadoopFiles.fileSystem(train, conf);
      return fs.exists(train) && fs.getFileStatus(train).isDirectory();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + train, e);
    }
  }

  /** Whether {@code dir} holds, at any depth, a file whose name says it is an image ({@link #IMAGE_FILES}). */
  public static boolean holdsImageFiles(String dir, Configuration conf) {
    Path path = new Path(dir);
    try {
      GlobFilter images = new GlobFilter(IMAGE_FILES);
      RemoteIterator<LocatedFileStatus> files = HadoopFiles.fileSystem(path, conf).listFiles(path, true);
      while (files.hasNext()) {
        if (images.accept(files.next().getPath())) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /**
   * The image files anywhere under {@code dir} (other files skipped), unlabelled, converted to the
   * target size (what the target leaves 0 from the data, where all files must agree): id (by file
   * name, then path, as ingest numbers them), image, origin. Decoded once and kept in Spark's cache.
   *
   * @throws BadInputException naming an undecodable file, or one of a shape the others do not have
   */
  public ImageSource.Images files(String dir) {
    Dataset<Row> images = decode(qualified(new Path(dir), spark.sparkContext().hadoopConfiguration()), null);
    ImageSize size = size(shapes(images));
    return new ImageSource.Images(numbered(images, size, FILES_SCHEMA), size);
  }

  /**
   * Lists, decodes and checks both splits; the rows are ready to write (decoded once, kept in
   * Spark's cache until {@link Ingest.Verified#release}).
   *
   * @throws BadInputException naming the file or folder and the problem
   */
  public Ingest.Verified verify(String input) {
    long start = System.nanoTime();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Map<String, Path> dirs = new LinkedHashMap<>();
    for (String split : List.of(ParquetLayout.TRAIN, ParquetLayout.TEST)) {
      dirs.put(split, qualified(new Path(input, split), conf));
    }
    List<String> classNames = classFolders(dirs.get(ParquetLayout.TRAIN), conf);
    if (classNames.isEmpty()) {
      throw new BadInputException(dirs.get(ParquetLayout.TRAIN).toString(), "has no class folders");
    }
    List<String> testClasses = classFolders(dirs.get(ParquetLayout.TEST), conf);
    for (String name : testClasses) {
      if (!classNames.contains(name)) {
        throw new BadInputException(new Path(dirs.get(ParquetLayout.TEST), name).toString(),
            "class '" + name + "' is not among train's classes " + classNames);
      }
    }
    Map<String, Dataset<Row>> decoded = new LinkedHashMap<>();
    dirs.forEach((split, dir) -> decoded.put(split, decode(dir, classNames)));
    List<Row> shapes = new ArrayList<>();
    decoded.values().forEach(images -> shapes.addAll(shapes(images)));
    ImageSize size = size(shapes);

    Map<String, Dataset<Row>> rows = new LinkedHashMap<>();
    Map<String, IngestManifest.Split> splits = new LinkedHashMap<>();
    decoded.forEach((split, images) -> {
      long[] classCounts = new long[classNames.size()];
      long total = 0;
      for (Row row : images.groupBy(ParquetLayout.LABEL).count().collectAsList()) {
        classCounts[row.getInt(0)] = row.getLong(1);
        total += row.getLong(1);
      }
      splits.put(split, new IngestManifest.Split(total, classCounts, source(dirs.get(split)), null));
      int partitions = (int) Math.max(1, (total + imagesPerPartition - 1) / imagesPerPartition);
      rows.put(split, numbered(images, size, ParquetLayout.SCHEMA).coalesce(partitions));
    });
    IngestManifest manifest = new IngestManifest(IngestManifest.FORMAT_VERSION, size.rows(), size.cols(),
        size.channels(), classNames, splits);
    return new Ingest.Verified(manifest, rows, (System.nanoTime() - start) / 1e9,
        () -> decoded.values().forEach(Dataset::unpersist));
  }

  /** The class folders of a split, sorted; each must hold at least one file. */
  private static List<String> classFolders(Path dir, Configuration conf) {
    FileSystem fs = HadoopFiles.fileSystem(dir, conf);
    try {
      if (!fs.exists(dir)) {
        throw new BadInputException(dir.toString(), "missing (the image-folder form needs train/ and test/)");
      }
      TreeSet<String> names = new TreeSet<>();
      for (FileStatus status : fs.listStatus(dir)) {
        if (!status.isDirectory() || hidden(status.getPath().getName())) {
          continue;
        }
        boolean empty = Arrays.stream(fs.listStatus(status.getPath()))
            .noneMatch(file -> file.isFile() && !hidden(file.getPath().getName()));
        if (empty) {
          throw new BadInputException(status.getPath().toString(), "empty class folder: no image files");
        }
        names.add(status.getPath().getName());
      }
      return List.copyOf(names);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** Files Spark's sources skip, so the listing must too. */
  private static boolean hidden(String name) {
    return name.startsWith(".") || name.startsWith("_");
  }

  /**
   * The images under {@code dir} as Spark decodes them: origin, height, width, nChannels, data,
   * and label, the index in {@code classNames} of the class folder each is in. Without class names
   * ({@code null}) the files anywhere under {@code dir} whose names say they are images, unlabelled.
   * Undecodable files and, with class names, files outside a class folder are refused by name.
   */
  private Dataset<Row> decode(Path dir, List<String> classNames) {
    DataFrameReader reader = spark.read().format("image").option("dropInvalid", false)
        .option("recursiveFileLookup", true);
    if (classNames == null) {
      reader = reader.option("pathGlobFilter", IMAGE_FILES);
    }
    Dataset<Row> images = reader.load(dir.toString())
        .select(col("image.origin").as(ORIGIN), col("image.height").as("height"),
            col("image.width").as("width"), col("image.nChannels").as("nChannels"), col("image.data").as("data"));
    Column bad = col("height").lt(1);
    if (classNames != null) {
      List<String> classes = List.copyOf(classNames);
      UDF1<String, Integer> label = origin -> classes.indexOf(new Path(origin).getParent().getName());
      images = images.withColumn(ParquetLayout.LABEL, udf(label, DataTypes.IntegerType).apply(col(ORIGIN)));
      bad = bad.or(col(ParquetLayout.LABEL).lt(0));
    }
    Dataset<Row> decoded = images.persist(StorageLevel.MEMORY_AND_DISK());
    Column refused = bad;
    // The first job fills the cache, so it fixes the partitions that every later job reads.
    Row first = packingSmallFiles(() -> decoded.filter(refused).select(ORIGIN, "height").orderBy(ORIGIN).limit(1)
        .collectAsList()).stream().findFirst().orElse(null);
    if (first != null) {
      decoded.unpersist();
      throw new BadInputException(first.getString(0), first.getInt(1) < 1
          ? "not a decodable image (PNG, JPEG, BMP, GIF)"
          : "not directly inside a class folder of " + dir);
    }
    return decoded;
  }

  /**
   * {@code job} (reads of small files that run their Spark job) with each file counted as 8 KiB to
   * open, unless the session sets {@code spark.sql.files.openCostInBytes}. Spark's 4 MiB packs
   * few-KB image files 32 to a task: the colour set's 70,000 PNGs made about 2,200 tasks, and
   * ingested 1.49x slower (medians of 3 alternating runs, AMD EPYC Zen 4). Only here: session-wide,
   * it would also cut the data set's Parquet files into other partitions, and so change what the
   * MLlib models learn.
   */
  private <T> T packingSmallFiles(Supplier<T> job) {
    if (spark.sparkContext().getConf().contains(OPEN_COST)) {
      return job.get();
    }
    spark.conf().set(OPEN_COST, "8192");
    try {
      return job.get();
    } finally {
      spark.conf().unset(OPEN_COST);
    }
  }

  /** The shapes among decoded images: height, width, nChannels, count and first file of each. */
  private static List<Row> shapes(Dataset<Row> images) {
    return new ArrayList<>(images.groupBy("height", "width", "nChannels").agg(count("*"), min(ORIGIN)).collectAsList());
  }

  /**
   * The target size: configured, or the one every image has. {@code shapes}: height, width,
   * nChannels, count and first file of each; a disagreement names a file of the rarer shape.
   */
  private ImageSize size(List<Row> shapes) {
    if (shapes.isEmpty()) {
      throw new IllegalStateException("no images decoded");
    }
    shapes.sort(Comparator.comparingLong((Row shape) -> shape.getLong(3)).reversed());
    Row first = shapes.get(0);
    int rows = target.rows();
    int cols = target.cols();
    if (rows == 0) {
      for (Row shape : shapes) {
        if (shape.getInt(0) != first.getInt(0) || shape.getInt(1) != first.getInt(1)) {
          throw new BadInputException(shape.getString(4), "is " + shape.getInt(0) + "x" + shape.getInt(1)
              + " but " + first.getString(4) + " is " + first.getInt(0) + "x" + first.getInt(1)
              + " (set data.image-folders.rows and cols to resize every image)");
        }
      }
      rows = first.getInt(0);
      cols = first.getInt(1);
    }
    int channels = target.channels();
    if (channels == 0) {
      for (Row shape : shapes) {
        if (colour(shape) != colour(first)) {
          throw new BadInputException(shape.getString(4), "has " + shape.getInt(2) + " channels but "
              + first.getString(4) + " has " + first.getInt(2)
              + " (set data.image-folders.channels to 1 for grey or 3 for RGB)");
        }
      }
      channels = colour(first) ? 3 : 1;
    }
    return ImageSize.of(rows, cols, channels);
  }

  /** 3 (BGR) and 4 (BGRA, alpha dropped) channels are both colour. */
  private static boolean colour(Row shape) {
    return shape.getInt(2) > 1;
  }

  /**
   * The decoded images converted to {@code size}, numbered by file name then path: the columns of
   * {@code schema}, its first the id, the others taken from the decoded images' columns by name.
   */
  private Dataset<Row> numbered(Dataset<Row> images, ImageSize size, StructType schema) {
    int rows = size.rows();
    int cols = size.cols();
    int channels = size.channels();
    UDF4<byte[], Integer, Integer, Integer, byte[]> convert = (data, height, width, nChannels) -> {
      byte[] pixels = ImagePixels.fromSparkImage(data, height, width, nChannels, channels);
      return height == rows && width == cols ? pixels
          : ImagePixels.resize(pixels, height, width, channels, rows, cols);
    };
    UDF1<String, String> fileName = origin -> new Path(origin).getName();
    String[] kept = Arrays.copyOfRange(schema.fieldNames(), 1, schema.size());
    Dataset<Row> sorted = images
        .withColumn(ParquetLayout.IMAGE, udf(convert, DataTypes.BinaryType)
            .apply(col("data"), col("height"), col("width"), col("nChannels")))
        .withColumn("name", udf(fileName, DataTypes.StringType).apply(col(ORIGIN)))
        .orderBy("name", ORIGIN)
        .select(Arrays.stream(kept).map(functions::col).toArray(Column[]::new));
    JavaRDD<Row> rowsWithIds = sorted.javaRDD().zipWithIndex().map(pair -> {
      Object[] values = new Object[kept.length + 1];
      values[0] = pair._2();
      for (int i = 0; i < kept.length; i++) {
        values[i + 1] = pair._1().get(i);
      }
      return RowFactory.create(values);
    });
    return spark.createDataFrame(rowsWithIds, schema);
  }

  /**
   * The split folder as a manifest source: its files' total size and one SHA-256 over each file's
   * path relative to the folder and the SHA-256 of its bytes, in path order, hashed on the executors.
   */
  private IngestManifest.Source source(Path dir) {
    String prefix = dir.toString() + "/";
    UDF1<byte[], String> sha = content -> HexFormat.of().formatHex(IdxFile.sha256().digest(content));
    List<Row> files = packingSmallFiles(() -> spark.read().format("binaryFile").option("recursiveFileLookup", true)
        .load(dir.toString()).select(col("path"), col("length"), udf(sha, DataTypes.StringType).apply(col("content")))
        .orderBy("path").collectAsList());
    MessageDigest digest = IdxFile.sha256();
    long bytes = 0;
    for (Row file : files) {
      String path = new Path(file.getString(0)).toString();
      String relative = path.startsWith(prefix) ? path.substring(prefix.length()) : path;
      digest.update((relative + " " + file.getString(2) + "\n").getBytes(StandardCharsets.UTF_8));
      bytes += file.getLong(1);
    }
    return new IngestManifest.Source(dir.toString(), false, bytes, HexFormat.of().formatHex(digest.digest()));
  }

  private static Path qualified(Path path, Configuration conf) {
    return HadoopFiles.fileSystem(path, conf).makeQualified(path);
  }
}
