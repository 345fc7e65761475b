package io.fmnist.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFileTest {

  private static final Configuration CONF = new Configuration();

  @Test
  void readsTheRealFilesHeaders() {
    IdxSplit train = IdxSplit.open(FashionMnist.dir().toString(), "train", CONF);
    IdxSplit test = IdxSplit.open(FashionMnist.dir().toString(), "test", CONF);

    assertEquals(60_000, train.count());
    assertEquals(10_000, test.count());
    assertEquals(28, train.rows());
    assertEquals(28, train.cols());
    assertTrue(train.images().gzip());
    assertEquals(47_040_016L, train.images().header().fileBytes());
    assertEquals(784, train.images().header().recordBytes());
  }

  @Test
  void scanGivesTheOfficialChecksumsAndBalancedClasses() {
    IdxSplit test = IdxSplit.open(FashionMnist.dir().toString(), "test", CONF);

    IdxFile.Scan images = test.images().scan(CONF, 0);
    IdxFile.Scan labels = test.labels().scan(CONF, 10);

    assertEquals("5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", images.sha256());
    assertEquals("0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", labels.sha256());
    assertEquals(7_840_016L, images.bytes());
    long[] thousandEach = new long[10];
    Arrays.fill(thousandEach, 1000);
    assertArrayEquals(thousandEach, labels.labelCounts());
  }

  @Test
  void firstTrainingAndTestImagesAreAnkleBoots() throws Exception {
    for (String split : new String[] {"train", "test"}) {
      IdxSplit idx = IdxSplit.open(FashionMnist.dir().toString(), split, CONF);
      try (InputStream labels = idx.labels().openRecords(0, CONF)) {
        assertEquals(9, labels.read(), split);
      }
    }
  }

  @Test
  void recordsMatchAnIndependentReadPixelForPixel() throws Exception {
    byte[] independent = FashionMnist.decompressed(FashionMnist.TRAIN_IMAGES);
    IdxFile images = IdxSplit.open(FashionMnist.dir().toString(), "train", CONF).images();

    for (long index : new long[] {0, 1, 777, 30_001, 59_999}) {
      try (InputStream in = images.openRecords(index, CONF)) {
        int from = 16 + (int) index * 784;
        assertArrayEquals(Arrays.copyOfRange(independent, from, from + 784), in.readNBytes(784),
            "image " + index);
      }
    }
  }

  @Test
  void rawAndGzipReadTheSame(@TempDir Path tmp) throws Exception {
    Path raw = FashionMnist.subset(tmp.resolve("raw"), 300, 50, false);
    Path gz = FashionMnist.subset(tmp.resolve("gz"), 300, 50, true);
    IdxFile rawImages = IdxSplit.open(raw.toUri().toString(), "train", CONF).images();
    IdxFile gzImages = IdxSplit.open(gz.toUri().toString(), "train", CONF).images();

    assertTrue(gzImages.gzip());
    assertEquals(false, rawImages.gzip());
    assertEquals(rawImages.scan(CONF, 0).sha256(), gzImages.scan(CONF, 0).sha256());
    try (InputStream a = rawImages.openRecords(123, CONF); InputStream b = gzImages.openRecords(123, CONF)) {
      assertArrayEquals(a.readNBytes(784 * 10), b.readNBytes(784 * 10));
    }
  }
}
