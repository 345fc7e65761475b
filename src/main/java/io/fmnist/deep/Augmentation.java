package io.fmnist.deep;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.Random;

/**
 * Random training-time changes of an image: a shift by up to {@code shift} pixels in each
 * direction (the uncovered border is background, 0) and a horizontal flip with probability 1/2
 * (Fashion-MNIST's garments are left-right symmetric classes). {@link #NONE} is the seed's.
 */
public record Augmentation(int shift, boolean flip) implements Serializable {

  public static final Augmentation NONE = new Augmentation(0, false);

  /** From a model's settings: {@code augment.shift} and {@code augment.flip}. */
  public static Augmentation from(Config settings) {
    return new Augmentation(settings.getInt("augment.shift"), settings.getBoolean("augment.flip"));
  }

  public boolean active() {
    return shift > 0 || flip;
  }

  /**
   * Writes {@code image} (channels-last unsigned bytes of {@code shape}), changed at random (the
   * same change for every channel), scaled to [0, 1], as channel planes into {@code out} at {@code offset}.
   */
  void apply(byte[] image, ImageShape shape, Random random, float[] out, int offset) {
    int rows = shape.rows();
    int cols = shape.cols();
    int dy = shift > 0 ? random.nextInt(2 * shift + 1) - shift : 0;
    int dx = shift > 0 ? random.nextInt(2 * shift + 1) - shift : 0;
    boolean mirror = flip && random.nextBoolean();
    for (int ch = 0; ch < shape.channels(); ch++) {
      int plane = offset + ch * rows * cols;
      for (int r = 0; r < rows; r++) {
        int sr = r - dy;
        for (int c = 0; c < cols; c++) {
          int sc = (mirror ? cols - 1 - c : c) - dx;
          out[plane + r * cols + c] = sr < 0 || sr >= rows || sc < 0 || sc >= cols
              ? 0f : shape.value(image, sr, sc, ch);
        }
      }
    }
  }
}
