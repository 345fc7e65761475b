package io.fmnist.bench;

import io.fmnist.data.IdxSplit;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/** The first images and labels of an IDX split, read with the project's own IDX reader, for the benchmarks. */
record Images(List<byte[]> images, int[] labels) {

  static Images read(IdxSplit split, int limit, Configuration conf) throws IOException {
    int n = (int) Math.min(limit, split.count());
    int pixels = split.rows() * split.cols();
    List<byte[]> images = new ArrayList<>(n);
    int[] labels = new int[n];
    try (DataInputStream in = new DataInputStream(split.images().openRecords(0, conf));
        InputStream labelIn = split.labels().openRecords(0, conf)) {
      for (int i = 0; i < n; i++) {
        byte[] image = new byte[pixels];
        in.readFully(image);
        images.add(image);
        labels[i] = labelIn.read();
      }
    }
    return new Images(images, labels);
  }
}
