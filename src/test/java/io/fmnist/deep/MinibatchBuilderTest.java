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
  void colourImagesBecomeChannelPlanesAndAFlipMirrorsEveryPlaneAlike() {
    // Channels last from three real images: red, green and blue each a different garment.
    List<byte[]> grey = images(3);
    byte[] colour = new byte[784 * 3];
    for (int p = 0; p < 784; p++) {
      for (int c = 0; c < 3; c++) {
        colour[p * 3 + c] = grey.get(c)[p];
      }
    }
    ImageShape shape = new ImageShape(28, 28, 3, 10);
    DataSet batch = new MinibatchBuilder(shape, Augmentation.NONE, 0).build(List.of(colour), new int[] {1},
        new int[] {0}, 0, 1, new Random(1));
    assertArrayEquals(new long[] {1, 3, 28, 28}, batch.getFeatures().shape());
    for (int c = 0; c < 3; c++) {
      for (int p : new int[] {0, 300, 406, 783}) {
        assertEquals((grey.get(c)[p] & 0xFF) / 255f, batch.getFeatures().getFloat(0, c, p / 28, p % 28), 0f);
      }
    }
    float[] plain = MinibatchBuilder.scaled(List.of(colour), shape);
    float[] flipped = new float[plain.length];
    boolean[] seen = new boolean[2];
    Random random = new Random(7);
    for (int draw = 0; draw < 8; draw++) {
      new Augmentation(0, true).apply(colour, shape, random, flipped, 0);
      // Each plane is exactly the plain one or its mirror image, and all three the same way.
      List<Boolean> mirroredPlanes = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        boolean same = true;
        boolean mirror = true;
        for (int r = 0; r < 28; r++) {
          for (int x = 0; x < 28; x++) {
            float value = flipped[c * 784 + r * 28 + x];
            same &= value == plain[c * 784 + r * 28 + x];
            mirror &= value == plain[c * 784 + r * 28 + 27 - x];
          }
        }
        assertEquals(true, same != mirror, "plane " + c + " plain or mirrored, and the garments are not symmetric");
        mirroredPlanes.add(mirror);
      }
      assertEquals(1, mirroredPlanes.stream().distinct().count(), "planes flipped alike: " + mirroredPlanes);
      seen[mirroredPlanes.get(0) ? 1 : 0] = true;
    }
    assertArrayEquals(new boolean[] {true, true}, seen, "flipped and not flipped both happen");
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
    new Augmentation(0, true).apply(image, SHAPE, new Random(3), flipped, 0);
    float[] plain = new float[784];
    Augmentation.NONE.apply(image, SHAPE, new Random(3), plain, 0);
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
    new Augmentation(2, false).apply(image, SHAPE, new Random(5), shifted, 0);
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
