package io.fmnist.deep;

import java.io.Serializable;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns images (row-major unsigned bytes, channels last) and labels into DL4J minibatches: NCHW
 * features scaled to [0, 1], one-hot labels, optionally smoothed ({@code (1 - e) * onehot + e / classes}) and with
 * the images augmented. The same code feeds Spark training and the single-process reference.
 */
public record MinibatchBuilder(ImageShape shape, Augmentation augmentation, double labelSmoothing)
    implements Serializable {

  /** The images in {@code order[from, to)} as one minibatch, augmented with {@code random}. */
  public DataSet build(List<byte[]> images, int[] labels, int[] order, int from, int to, Random random) {
    int n = to - from;
    int pixels = shape.pixels();
    float[] features = new float[n * pixels];
    float[] targets = new float[n * shape.classes()];
    float off = (float) (labelSmoothing / shape.classes());
    float on = (float) (1 - labelSmoothing) + off;
    for (int i = 0; i < n; i++) {
      int index = order[from + i];
      byte[] image = images.get(index);
      if (augmentation.active()) {
        augmentation.apply(image, shape, random, features, i * pixels);
      } else {
        scale(image, shape, features, i * pixels);
      }
      for (int c = 0; c < shape.classes(); c++) {
        targets[i * shape.classes() + c] = c == labels[index] ? on : off;
      }
    }
    return new DataSet(
        Nd4j.create(features, shape.batch(n), 'c'),
        Nd4j.create(targets, new long[] {n, shape.classes()}, 'c'));
  }

  /** Images without augmentation or smoothing, for inference: the values of [n, channels, rows, cols]. */
  public static float[] scaled(List<byte[]> images, ImageShape shape) {
    float[] features = new float[images.size() * shape.pixels()];
    for (int i = 0; i < images.size(); i++) {
      scale(images.get(i), shape, features, i * shape.pixels());
    }
    return features;
  }

  /** {@code scaled} images (as from {@link #scaled}) mirrored left to right. */
  public static float[] mirrored(float[] scaled, ImageShape shape) {
    float[] out = new float[scaled.length];
    int cols = shape.cols();
    for (int row = 0; row < scaled.length / cols; row++) {
      for (int c = 0; c < cols; c++) {
        out[row * cols + c] = scaled[row * cols + cols - 1 - c];
      }
    }
    return out;
  }

  /** Channels-last bytes to channel planes in [0, 1]. */
  private static void scale(byte[] image, ImageShape shape, float[] out, int offset) {
    if (shape.channels() == 1) {
      for (int p = 0; p < image.length; p++) {
        out[offset + p] = (image[p] & 0xFF) / 255f;
      }
      return;
    }
    int at = offset;
    for (int ch = 0; ch < shape.channels(); ch++) {
      for (int r = 0; r < shape.rows(); r++) {
        for (int c = 0; c < shape.cols(); c++) {
          out[at++] = shape.value(image, r, c, ch);
        }
      }
    }
  }
}
