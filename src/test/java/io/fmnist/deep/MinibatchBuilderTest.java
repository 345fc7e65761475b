package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fmnist.data.FashionMnist;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

/** Minibatches from real Fashion-MNIST images: layout, scaling, labels, augmentation. */
class MinibatchBuilderTest {

  private static final ImageShape SHAPE = new ImageShape(28, 28, 10);
  private static final byte[] IMAGES = FashionMnist.decompressed(FashionMnist.TRAIN_IMAGES);
  private static final byte[] LABELS = FashionMnist.decompressed(FashionMnist.TRAIN_LABELS);

  private static List<byte[]> images(int n) {
    List<byte[]> images = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      images.add(Arrays.copyOfRange(IMAGES, 16 + i * 784, 16 + (i + 1) * 784));
    }
    return images;
  }

  private static int[] labels(int n) {
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = LABELS[8 + i];
    }
    return labels;
  }

  @Test
  void featuresAreNchwPixelsOver255AndLabelsOneHot() {
    List<byte[]> images = images(5);
    int[] order = {3, 1, 4};
    DataSet batch = new MinibatchBuilder(SHAPE, Augmentation.NONE, 0).build(images, labels(5), order, 0, 3,
        new Random(1));
    assertArrayEquals(new long[] {3, 1, 28, 28}, batch.getFeatures().shape());
    assertArrayEquals(new long[] {3, 10}, batch.getLabels().shape());
    for (int i = 0; i < 3; i++) {
      byte[] image = images.get(order[i]);
      for (int p : new int[] {0, 300, 406, 783}) {
        assertEquals((image[p] & 0xFF) / 255f, batch.getFeatures().getFloat(i, 0, p / 28, p % 28), 0f);
      }
      assertEquals(labels(5)[order[i]], batch.getLabels().getRow(i).argMax().getInt(0));
      assertEquals(1.0, batch.getLabels().getRow(i).sumNumber().doubleValue(), 1e-6);
    }
  }

  @Test
  void labelSmoothingSpreadsItsShareOverAllClasses() {
    DataSet batch = new MinibatchBuilder(SHAPE, Augmentation.NONE, 0.1).build(images(2), labels(2),
        new int[] {0, 1}, 0, 2, new Random(1));
    float[] row = batch.getLabels().getRow(0).toFloatVector();
    assertEquals(0.91f, row[labels(2)[0]], 1e-6f);
    assertEquals(0.01f, row[(labels(2)[0] + 1) % 10], 1e-6f);
    assertEquals(1.0, batch.getLabels().getRow(0).sumNumber().doubleValue(), 1e-6);
  }

  @Test
  void augmentationShiftsAndFlipsWithoutChangingIntensities() {
    byte[] image = images(1).get(0);
    float[] flipped = new float[784];
    // Flip only: every row is mirrored exactly.
    new Augmentation(0, true).apply(image, 28, 28, new Random(3), flipped, 0);
    float[] plain = new float[784];
    Augmentation.NONE.apply(image, 28, 28, new Random(3), plain, 0);
    boolean mirrored = true;
    boolean same = true;
    for (int r = 0; r < 28; r++) {
      for (int c = 0; c < 28; c++) {
        mirrored &= flipped[r * 28 + c] == plain[r * 28 + 27 - c];
        same &= flipped[r * 28 + c] == plain[r * 28 + c];
      }
    }
    assertEquals(true, mirrored || same);
    // Shifts move pixels; each output pixel is some input pixel or background.
    float[] shifted = new float[784];
    new Augmentation(2, false).apply(image, 28, 28, new Random(5), shifted, 0);
    for (float value : shifted) {
      assertEquals(true, value == 0f || contains(plain, value));
    }
  }

  private static boolean contains(float[] values, float value) {
    for (float v : values) {
      if (v == value) {
        return true;
      }
    }
    return false;
  }
}
