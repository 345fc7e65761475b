package io.fmnist.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmnist.config.AppConfig;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Colour input on a real subset: the generated colour set ingested from idx4 and from image
 * folders, each compared byte for byte with an independent decode (java.util.zip for IDX,
 * ImageIO's own pixels for PNG), and the two forms with each other.
 */
class ColourIngestTest {

  private static final int TRAIN = 300;
  private static final int TEST = 100;

  @TempDir static Path tmp;
  private static SparkSession spark;
  private static ColourFashion.Result colour;
  private static Ingest.Result fromIdx;
  private static Ingest.Result fromFolders;

  @BeforeAll
  static void ingestBothForms() {
    spark = TestSpark.session();
    Path grey = FashionMnist.subset(tmp.resolve("grey"), TRAIN, TEST, true);
    List<String> classNames = AppConfig.load(null, List.of(), new Configuration()).classNames();
    colour = new ColourFashion(32, 42, 0).write(grey.toString(), tmp.resolve("colour").toString(), classNames,
        false, new Configuration());
    Ingest ingest = new Ingest(spark, classNames, 250);
    fromIdx = ingest.run(colour.idx(), tmp.resolve("from-idx").toString(), false);
    fromFolders = ingest.run(colour.folders(), tmp.resolve("from-folders").toString(), false);
  }

  @Test
  void idx4IngestIsTheFilesBytesWithChannelsInTheManifest() throws IOException {
    IngestManifest manifest = fromIdx.manifest();
    assertEquals(List.of(32, 32, 3), List.of(manifest.rows(), manifest.cols(), manifest.channels()));
    assertEquals(TRAIN, manifest.splits().get(ParquetLayout.TRAIN).count());
    byte[] file = gunzip(Path.of(java.net.URI.create(colour.idx())).resolve("train-images-idx4-ubyte.gz"));
    try (DataInputStream header = new DataInputStream(new java.io.ByteArrayInputStream(file))) {
      assertEquals(0x00000804, header.readInt());
      assertEquals(List.of(TRAIN, 32, 32, 3), List.of(header.readInt(), header.readInt(), header.readInt(),
          header.readInt()));
    }
    Map<Long, byte[]> images = images(fromIdx.output(), ParquetLayout.TRAIN);
    int bytes = 32 * 32 * 3;
    for (long id = 0; id < TRAIN; id++) {
      assertArrayEquals(java.util.Arrays.copyOfRange(file, 20 + (int) id * bytes, 20 + (int) (id + 1) * bytes),
          images.get(id), "image " + id);
    }
  }

  @Test
  void folderIngestIsThePngsPixelsAndTheSameDataSetAsIdx4() throws IOException {
    IngestManifest manifest = fromFolders.manifest();
    assertEquals(List.of(32, 32, 3), List.of(manifest.rows(), manifest.cols(), manifest.channels()));
    assertEquals("0-T-shirt_top", manifest.classNames().get(0));
    assertEquals("6-Shirt", manifest.classNames().get(6));
    assertEquals(fromIdx.manifest().splits().get(ParquetLayout.TEST).classCounts().length,
        manifest.splits().get(ParquetLayout.TEST).classCounts().length);
    assertArrayEquals(fromIdx.manifest().splits().get(ParquetLayout.TEST).classCounts(),
        manifest.splits().get(ParquetLayout.TEST).classCounts());
    assertEquals(64, manifest.splits().get(ParquetLayout.TRAIN).images().sha256().length());

    // Every PNG, decoded by ImageIO alone, is the row of its id (the file name) and label (the folder).
    Map<Long, byte[]> images = images(fromFolders.output(), ParquetLayout.TEST);
    Map<Long, Integer> labels = labels(fromFolders.output(), ParquetLayout.TEST);
    Path folders = Path.of(java.net.URI.create(colour.folders())).resolve("test");
    try (Stream<Path> files = Files.walk(folders)) {
      for (Path png : files.filter(Files::isRegularFile).toList()) {
        long id = Long.parseLong(png.getFileName().toString().replace(".png", ""));
        assertArrayEquals(rgb(ImageIO.read(png.toFile())), images.get(id), png.toString());
        assertEquals(manifest.classNames().indexOf(png.getParent().getFileName().toString()), labels.get(id));
      }
    }
    for (String split : List.of(ParquetLayout.TRAIN, ParquetLayout.TEST)) {
      assertEquals(rows(fromIdx.output(), split), rows(fromFolders.output(), split), split);
    }
    // The items are tinted over textured backgrounds: the channels differ.
    byte[] first = images.get(0L);
    assertNotEquals(first[0], first[1]);
  }

  @Test
  void foldersOfOtherSizesAreResizedToTheConfiguredTarget() {
    Ingest resize = new Ingest(spark, List.of("x"), 250, new ImageFolders.Target(20, 24, 1));
    Ingest.Result small = resize.run(colour.folders(), tmp.resolve("resized").toString(), false);
    assertEquals(ImageSize.of(20, 24, 1), small.manifest().size());
    assertTrue(images(small.output(), ParquetLayout.TEST).values().stream().allMatch(image -> image.length == 480));
  }

  private static Map<Long, byte[]> images(String data, String split) {
    Map<Long, byte[]> images = new HashMap<>();
    for (Row row : spark.read().parquet(data + "/" + split).collectAsList()) {
      images.put(row.getLong(0), row.getAs(2));
    }
    return images;
  }

  private static Map<Long, Integer> labels(String data, String split) {
    Map<Long, Integer> labels = new HashMap<>();
    for (Row row : spark.read().parquet(data + "/" + split).collectAsList()) {
      labels.put(row.getLong(0), row.getInt(1));
    }
    return labels;
  }

  /** (id, label, image as a list) in id order, comparable across data sets. */
  private static List<List<Object>> rows(String data, String split) {
    return spark.read().parquet(data + "/" + split).orderBy("id").collectAsList().stream()
        .map(row -> List.<Object>of(row.getLong(0), row.getInt(1), java.util.Arrays.toString((byte[]) row.get(2))))
        .toList();
  }

  private static byte[] rgb(BufferedImage image) {
    byte[] out = new byte[image.getWidth() * image.getHeight() * 3];
    int at = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int argb = image.getRGB(x, y);
        out[at++] = (byte) (argb >> 16);
        out[at++] = (byte) (argb >> 8);
        out[at++] = (byte) argb;
      }
    }
    return out;
  }

  private static byte[] gunzip(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return in.readAllBytes();
    }
  }
}
