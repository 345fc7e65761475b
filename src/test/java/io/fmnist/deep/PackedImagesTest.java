package io.fmnist.deep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmnist.data.FashionMnist;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Real images packed into one array come back as they were, each read a copy of its own. */
class PackedImagesTest {

  @Test
  void imagesComeBackAsTheyWere() {
    List<byte[]> images = FashionMnist.trainImages(100);
    PackedImages packed = PackedImages.of(images);
    assertEquals(100, packed.size());
    for (int i = 0; i < images.size(); i++) {
      assertArrayEquals(images.get(i), packed.get(i), "image " + i);
    }
    assertTrue(packed.get(7)[400] != packed.get(8)[400] || packed.get(7)[300] != packed.get(8)[300],
        "different images differ");
    byte[] first = packed.get(0);
    first[0] = (byte) (first[0] + 1);
    assertArrayEquals(images.get(0), packed.get(0), "a read is a copy");
    assertNotSame(packed.get(3), packed.get(3));
    assertThrows(IndexOutOfBoundsException.class, () -> packed.get(100));
  }

  @Test
  void imagesOfAnotherSizeAreRefused() {
    List<byte[]> images = new ArrayList<>(FashionMnist.trainImages(3));
    images.add(new byte[10]);
    assertThrows(IllegalArgumentException.class, () -> PackedImages.of(images));
    assertEquals(0, PackedImages.of(List.of()).size());
  }
}
